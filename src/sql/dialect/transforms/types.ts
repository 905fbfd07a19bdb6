import { visitObjects, type Node } from '../ast.js';
import { SNOWFLAKE, sdk } from '../polyglot.js';
import { parseType } from '../../types.js';
import { tokenize } from '../../tokens.js';

/** The parser's type kinds whose Snowflake name is known without asking it to render the type. */
const NAMES: Record<string, string> = {
  int: 'INT',
  big_int: 'BIGINT',
  small_int: 'SMALLINT',
  tiny_int: 'TINYINT',
  integer: 'INTEGER',
  double: 'DOUBLE',
  float: 'FLOAT',
  real: 'REAL',
  boolean: 'BOOLEAN',
  date: 'DATE',
  time: 'TIME',
  text: 'TEXT',
  var_char: 'VARCHAR',
  char: 'CHAR',
  string: 'STRING',
  binary: 'BINARY',
  var_binary: 'VARBINARY',
};

/** The Snowflake type a parsed type node stands for (`NUMBER(10,2)`, `TIMESTAMPNTZ` …). */
function snowflakeText(dt: Node): string {
  if (dt.data_type === 'decimal') return `NUMBER(${dt.precision ?? 38},${dt.scale ?? 0})`;
  if (dt.data_type === 'timestamp') return dt.timezone ? 'TIMESTAMP_TZ' : 'TIMESTAMP';
  if (dt.data_type === 'custom' && typeof dt.name === 'string') return dt.name;
  const named = NAMES[dt.data_type];
  if (named) return named;
  const r = sdk().generateDataType(dt as never, SNOWFLAKE);
  return r.success && r.sql ? r.sql : String(dt.data_type);
}

/**
 * Snowflake types become recpipe's DuckDB storage types (types.ts holds the one mapping):
 * integers BIGINT, NUMBER(p,s) DECIMAL, VARIANT/OBJECT/ARRAY JSON, TIMESTAMP_NTZ TIMESTAMP …
 * An unknown type fails with Snowflake's wording, naming it.
 */
export function mapTypes(ast: Node): void {
  visitObjects(ast, (o) => {
    if (typeof o.data_type !== 'string') return;
    const duckdb = parseType(tokenize(snowflakeText(o)), 0).duckdb;
    for (const k of Object.keys(o)) delete o[k];
    Object.assign(o, { data_type: 'custom', name: duckdb });
  });
}
