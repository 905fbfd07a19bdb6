/**
 * Snowflake functions DuckDB lacks, as macros created on every warehouse connection (temporary
 * macros are visible whatever the current database is). VARIANT is stored as JSON.
 */
export const SNOWFLAKE_FUNCTIONS: readonly string[] = [
  `CREATE OR REPLACE TEMP MACRO parse_json(text) AS json(text)`,
  `CREATE OR REPLACE TEMP MACRO try_parse_json(text) AS CASE WHEN json_valid(text) THEN json(text) END`,
  `CREATE OR REPLACE TEMP MACRO to_variant(value) AS to_json(value)`,
  `CREATE OR REPLACE TEMP MACRO iff(condition, when_true, when_false) AS CASE WHEN condition THEN when_true ELSE when_false END`,
  `CREATE OR REPLACE TEMP MACRO nvl(value, fallback) AS coalesce(value, fallback)`,
  // Snowflake reads text as a number where one is needed (SUM(varchar)); other types pass unchanged (see transforms/numeric-text.ts).
  `CREATE OR REPLACE TEMP MACRO rp_number(value VARCHAR) AS CAST(value AS DOUBLE), (value) AS value`,
  // Epoch numbers (seconds) or timestamp text, as TO_TIMESTAMP_NTZ accepts them.
  `CREATE OR REPLACE TEMP MACRO to_timestamp_ntz(value) AS CASE
     WHEN TRY_CAST(value AS DOUBLE) IS NOT NULL THEN make_timestamp(CAST(round(TRY_CAST(value AS DOUBLE) * 1000000) AS BIGINT))
     ELSE CAST(CAST(value AS VARCHAR) AS TIMESTAMP) END`,
  // Targets of the dialect's semi-structured transforms (src/sql/dialect/transforms/semi-structured.ts).
  `CREATE OR REPLACE TEMP MACRO rp_variant(value) AS to_json(value)`,
  `CREATE OR REPLACE TEMP MACRO rp_get(value, path) AS json_extract(to_json(value), path)`,
  `CREATE OR REPLACE TEMP MACRO rp_text(value) AS json_extract_string(to_json(value), '$')`,
  // Snowflake prints a whole float without '.0' (10::float::varchar is '10').
  `CREATE OR REPLACE TEMP MACRO rp_float_text(value) AS CASE WHEN value = trunc(value) AND abs(value) < 1e15 THEN CAST(CAST(value AS BIGINT) AS VARCHAR) ELSE CAST(value AS VARCHAR) END`,
  `CREATE OR REPLACE TEMP MACRO rp_array_size(value) AS CASE WHEN json_type(to_json(value)) = 'ARRAY' THEN json_array_length(to_json(value)) END`,
  `CREATE OR REPLACE TEMP MACRO rp_array_to_string(value, sep) AS array_to_string(json_extract_string(to_json(value), '$[*]'), sep)`,
  `CREATE OR REPLACE TEMP MACRO rp_object_agg(k, v) AS to_json(map(list(k), list(to_json(v))))`,
  `CREATE OR REPLACE TEMP MACRO rp_object_keys(value) AS to_json(json_keys(to_json(value)))`,
  // FLATTEN's columns (SEQ, KEY, PATH, INDEX, VALUE, THIS) over json_each; PATH as Snowflake writes it (a.b[0]).
  `CREATE OR REPLACE TEMP MACRO rp_flatten(input, path) AS TABLE
     SELECT 1 AS SEQ,
       CASE WHEN json_type(to_json(input), path) = 'ARRAY' THEN NULL ELSE j.key END AS KEY,
       regexp_replace(j.fullkey, '^\\$\\.?', '') AS PATH,
       CASE WHEN json_type(to_json(input), path) = 'ARRAY' THEN CAST(j.key AS BIGINT) END AS INDEX,
       j.value AS VALUE,
       json_extract(to_json(input), path) AS THIS
     FROM json_each(to_json(input), path) AS j`,
];
