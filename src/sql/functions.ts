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
  `CREATE OR REPLACE TEMP MACRO rp_object_agg(k, v) AS to_json(map(list(k) FILTER (WHERE v IS NOT NULL), list(to_json(v)) FILTER (WHERE v IS NOT NULL)))`,
  `CREATE OR REPLACE TEMP MACRO rp_object_keys(value) AS to_json(json_keys(to_json(value)))`,
  // Snowflake's ARRAY/OBJECT functions over JSON (transforms/array-functions.ts): an array is read as a list of JSON elements.
  `CREATE OR REPLACE TEMP MACRO rp_list(value) AS json_extract(to_json(value), '$[*]')`,
  `CREATE OR REPLACE TEMP MACRO rp_array_contains(value, arr) AS list_contains(rp_list(arr), to_json(value))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_position(value, arr) AS list_position(rp_list(arr), to_json(value)) - 1`,
  `CREATE OR REPLACE TEMP MACRO rp_array_append(arr, value) AS to_json(list_append(rp_list(arr), to_json(value)))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_prepend(arr, value) AS to_json(list_prepend(to_json(value), rp_list(arr)))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_insert(arr, pos, value) AS to_json(list_concat(list_append(rp_list(arr)[1:pos], to_json(value)), rp_list(arr)[pos + 1:]))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_cat(a, b) AS to_json(list_concat(rp_list(a), rp_list(b)))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_slice(arr, f, t) AS to_json(list_slice(rp_list(arr),
     CASE WHEN f < 0 THEN len(rp_list(arr)) + f + 1 ELSE f + 1 END, CASE WHEN t < 0 THEN len(rp_list(arr)) + t ELSE t END))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_compact(arr) AS to_json(list_filter(rp_list(arr), e -> json_type(e) <> 'NULL'))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_distinct(arr) AS to_json(list_filter(rp_list(arr), (e, i) -> list_position(rp_list(arr), e) = i))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_reverse(arr) AS to_json(list_reverse(rp_list(arr)))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_except(a, b) AS to_json(list_filter(rp_list(a), e -> NOT list_contains(rp_list(b), e)))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_intersection(a, b) AS to_json(list_filter(rp_list(a), e -> list_contains(rp_list(b), e)))`,
  `CREATE OR REPLACE TEMP MACRO rp_arrays_overlap(a, b) AS list_has_any(rp_list(a), rp_list(b))`,
  `CREATE OR REPLACE TEMP MACRO rp_array_flatten(arr) AS to_json(flatten(list_transform(rp_list(arr), e -> rp_list(e))))`,
  `CREATE OR REPLACE TEMP MACRO rp_to_array(value) AS CASE WHEN value IS NULL THEN NULL
     WHEN json_type(to_json(value)) = 'ARRAY' THEN to_json(value) ELSE to_json(list_value(to_json(value))) END`,
  `CREATE OR REPLACE TEMP MACRO rp_object_insert(obj, k, value) AS json_merge_patch(to_json(obj), json_object(CAST(k AS VARCHAR), to_json(value)))`,
  `CREATE OR REPLACE TEMP MACRO rp_object_delete(obj, k) AS json_merge_patch(to_json(obj), json_object(CAST(k AS VARCHAR), NULL))`,
  `CREATE OR REPLACE TEMP MACRO rp_json_type(value) AS json_type(to_json(value))`,
  // TYPEOF names a variant's type as Snowflake does (a JSON decimal is DECIMAL, JSON null NULL_VALUE).
  `CREATE OR REPLACE TEMP MACRO rp_typeof(value) AS CASE rp_json_type(value) WHEN 'BIGINT' THEN 'INTEGER' WHEN 'UBIGINT' THEN 'INTEGER'
     WHEN 'DOUBLE' THEN 'DECIMAL' WHEN 'NULL' THEN 'NULL_VALUE' ELSE rp_json_type(value) END`,
  `CREATE OR REPLACE TEMP MACRO approx_percentile(value, fraction) AS approx_quantile(value, fraction)`,
  `CREATE OR REPLACE TEMP MACRO startswith(value, prefix) AS starts_with(value, prefix)`,
  `CREATE OR REPLACE TEMP MACRO sha2(value, bits := 256) AS CASE WHEN bits = 256 THEN sha256(value) ELSE error('SHA2 with a digest size of ' || bits || ' is not supported') END`,
  // A date moved by days or longer stays a DATE (transforms/dates.ts); other types keep their result.
  `CREATE OR REPLACE TEMP MACRO rp_as_date_of(value DATE, result) AS CAST(result AS DATE), (value, result) AS result`,
  // OBJECT_CONSTRUCT(*) of a row (transforms/object-construct-star.ts): a merge patch onto {} drops the NULL members.
  `CREATE OR REPLACE TEMP MACRO rp_object_of_row(r) AS json_merge_patch('{}', to_json(r))`,
  `CREATE OR REPLACE TEMP MACRO rp_object_of_row_keep_null(r) AS to_json(r)`,
  `CREATE OR REPLACE TEMP MACRO rp_hex_encode(value) AS upper(hex(value))`,
  `CREATE OR REPLACE TEMP MACRO rp_bitxor(a, b) AS xor(a, b)`,
  // REGEXP_SUBSTR's occurrence and group (transforms/text-functions.ts); NULL when there is no such match.
  `CREATE OR REPLACE TEMP MACRO rp_regexp_substr(value, pattern, pos, occurrence, grp) AS regexp_extract_all(substr(value, pos), pattern, grp)[occurrence]`,
  // INITCAP: each letter after a non-alphanumeric character upper case, the rest lower case.
  `CREATE OR REPLACE TEMP MACRO rp_initcap(s) AS array_to_string(list_transform(string_split(s, ''),
     (ch, i) -> CASE WHEN i = 1 OR NOT regexp_matches(string_split(s, '')[i - 1], '[[:alnum:]]') THEN upper(ch) ELSE lower(ch) END), '')`,
  // FLATTEN's columns (SEQ, KEY, PATH, INDEX, VALUE, THIS) over json_each; PATH as Snowflake writes it (a.b[0]).
  `CREATE OR REPLACE TEMP MACRO rp_flatten(input, path) AS TABLE
     SELECT 1 AS SEQ,
       CASE WHEN json_type(to_json(input), path) = 'ARRAY' THEN NULL ELSE j.key END AS KEY,
       regexp_replace(j.fullkey, '^\\$\\.?', '') AS PATH,
       CASE WHEN json_type(to_json(input), path) = 'ARRAY' THEN CAST(j.key AS BIGINT) END AS INDEX,
       j.value AS VALUE,
       json_extract(to_json(input), path) AS THIS
     FROM json_each(to_json(input), path) AS j`,
  // FLATTEN(…, RECURSIVE => TRUE): every element below the input, over json_tree (its root row is the input itself).
  `CREATE OR REPLACE TEMP MACRO rp_flatten_recursive(input, path) AS TABLE
     SELECT 1 AS SEQ,
       CASE WHEN j.fullkey LIKE '%]' THEN NULL ELSE j.key END AS KEY,
       regexp_replace(j.fullkey, '^\\$\\.?', '') AS PATH,
       CASE WHEN j.fullkey LIKE '%]' THEN CAST(j.key AS BIGINT) END AS INDEX,
       j.value AS VALUE,
       json_extract(to_json(input), j.path) AS THIS
     FROM json_tree(to_json(input), path) AS j WHERE j.parent IS NOT NULL`,
  // FLATTEN(…, OUTER => TRUE): one row of NULLs (THIS the input) when there is nothing to flatten.
  `CREATE OR REPLACE TEMP MACRO rp_flatten_outer(input, path) AS TABLE
     SELECT * FROM rp_flatten(input, path)
     UNION ALL SELECT 1, NULL, NULL, NULL, NULL, json_extract(to_json(input), path)
     WHERE NOT EXISTS (SELECT 1 FROM rp_flatten(input, path))`,
];
