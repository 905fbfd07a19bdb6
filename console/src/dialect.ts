import { SQLDialect } from '@codemirror/lang-sql';

// Snowflake's reserved and common keywords (its SQL reference), highlighted as keywords and offered in completion.
const KEYWORDS =
  'account all alter and any as asc at before begin between by call cascade case cast check clone cluster column comment commit ' +
  'connect constraint copy create cross current current_date current_role current_time current_timestamp current_user database ' +
  'databases declare default delete desc describe distinct drop else end exists external false fetch file first for format from ' +
  'full function get grant group having identifier if ilike in increment inner insert integration intersect into is join lateral ' +
  'left like limit list local match_recognize merge minus natural not null nulls of offset on or order outer over partition pipe ' +
  'pivot primary procedure put qualify recursive regexp remove rename replace returns revoke right rlike role roles rollback row ' +
  'rows sample schema schemas select sequence session set show stage stages start stream streams table tables tablesample task ' +
  'tasks temporary then to transient true truncate undrop union unique unpivot unset update use user users using values view ' +
  'views warehouse warehouses when where window with within resume suspend execute api usage ownership future grants';

const TYPES =
  'array bigint binary boolean char character date datetime decimal double float float4 float8 geography int integer number ' +
  'numeric object real smallint string text time timestamp timestamp_ltz timestamp_ntz timestamp_tz tinyint varbinary varchar variant';

const BUILTINS =
  'parse_json try_parse_json to_variant to_json flatten array_agg object_construct array_construct iff nvl zeroifnull coalesce ' +
  'count sum avg min max median stddev round floor ceil abs sqrt ln log exp power date_trunc dateadd datediff to_date to_timestamp ' +
  'current_database current_schema current_warehouse last_query_id result_scan split_part regexp_replace lower upper trim length ' +
  'concat listagg row_number rank dense_rank lag lead uniform random seq4 generator';

/** A Snowflake-ish dialect: its keywords and types, `$$` strings, `"` identifiers, `$name` variables, case-insensitive names. */
export const snowflake = SQLDialect.define({
  keywords: KEYWORDS,
  types: TYPES,
  builtin: BUILTINS,
  doubleDollarQuotedStrings: true,
  identifierQuotes: '"',
  specialVar: '$?',
  caseInsensitiveIdentifiers: true,
  operatorChars: '*+-%<>!=&|~^/:',
});
