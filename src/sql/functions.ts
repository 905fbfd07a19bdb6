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
  // Epoch numbers (seconds) or timestamp text, as TO_TIMESTAMP_NTZ accepts them.
  `CREATE OR REPLACE TEMP MACRO to_timestamp_ntz(value) AS CASE
     WHEN TRY_CAST(value AS DOUBLE) IS NOT NULL THEN make_timestamp(CAST(round(TRY_CAST(value AS DOUBLE) * 1000000) AS BIGINT))
     ELSE CAST(CAST(value AS VARCHAR) AS TIMESTAMP) END`,
];
