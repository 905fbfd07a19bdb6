import { compilation } from '../errors.js';
import type { Statement } from '../tokens.js';

/**
 * DuckDB functions that open files or URLs, or run SQL given as text. DuckDB itself is locked out of
 * the host (see warehouse/duckdb/lockdown.ts); refusing these names as well keeps SQL away from the
 * files inside the home it may open (other databases' files, spill space, loads in progress), which
 * would bypass privileges. Files enter through stages and COPY INTO.
 */
const FILE_FUNCTIONS = new Set([
  'READ_TEXT',
  'READ_BLOB',
  'READ_CSV',
  'READ_CSV_AUTO',
  'SNIFF_CSV',
  'CSV_SCAN',
  'GLOB',
  'READ_JSON',
  'READ_JSON_AUTO',
  'READ_JSON_OBJECTS',
  'READ_JSON_OBJECTS_AUTO',
  'READ_NDJSON',
  'READ_NDJSON_AUTO',
  'READ_NDJSON_OBJECTS',
  'READ_PARQUET',
  'PARQUET_SCAN',
  'PARQUET_METADATA',
  'PARQUET_SCHEMA',
  'PARQUET_FILE_METADATA',
  'PARQUET_KV_METADATA',
  'PARQUET_BLOOM_PROBE',
  'READ_XLSX',
  'ICEBERG_SCAN',
  'DELTA_SCAN',
  'SQLITE_SCAN',
  'SQLITE_ATTACH',
  'POSTGRES_SCAN',
  'MYSQL_SCAN',
  'QUERY',
  'QUERY_TABLE',
  'READ_DUCKDB',
  'GETENV',
]);

const TABLE_POSITION = new Set(['FROM', 'JOIN', ',']);

/** Refuses a statement that calls a file function or reads a file by naming it as a table (`FROM '/etc/passwd'`). */
export function refuseHostAccess(st: Statement): void {
  const t = st.tokens;
  for (let i = 0; i < t.length; i++) {
    const tok = t[i];
    if ((tok.kind === 'word' || tok.kind === 'quoted') && t[i + 1]?.value === '(' && FILE_FUNCTIONS.has(tok.value.toUpperCase())) {
      throw compilation(
        'PERMISSION_DENIED',
        `function ${tok.value.toUpperCase()} reads files or runs SQL text and is not available; load files with a stage and COPY INTO.`,
      );
    }
    if (tok.kind === 'string' && i > 0 && TABLE_POSITION.has(t[i - 1].value) && inFromClause(t, i)) {
      throw compilation(
        'PERMISSION_DENIED',
        `a string cannot name a table ('${tok.value.slice(0, 60)}'): files are read only through stages and COPY INTO.`,
      );
    }
  }
}

/** Functions whose arguments read `x FROM y` (`extract(year from '2020-01-01')`): that FROM names no table. */
const FROM_IN_ARGUMENTS = new Set(['EXTRACT', 'TRIM', 'SUBSTRING', 'SUBSTR', 'POSITION', 'OVERLAY', 'DATE_PART']);

/** A string after `,` counts only inside a FROM list, i.e. when a FROM or JOIN comes before it at the same depth. */
function inFromClause(t: Statement['tokens'], i: number): boolean {
  if (t[i - 1].value !== ',') return !inFunctionArguments(t, i - 1);
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const v = t[j].value;
    if (v === ')') depth++;
    else if (v === '(') {
      if (depth === 0) return false;
      depth--;
    } else if (depth === 0 && t[j].kind === 'word' && (v === 'FROM' || v === 'JOIN')) return !inFunctionArguments(t, j);
    else if (depth === 0 && t[j].kind === 'word' && (v === 'SELECT' || v === 'WHERE' || v === 'VALUES')) return false;
  }
  return false;
}

/** Whether token `k` sits directly inside the parentheses of EXTRACT(…), TRIM(…) and the like. */
function inFunctionArguments(t: Statement['tokens'], k: number): boolean {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const v = t[j].value;
    if (v === ')') depth++;
    else if (v === '(') {
      if (depth === 0) return j > 0 && t[j - 1].kind === 'word' && FROM_IN_ARGUMENTS.has(t[j - 1].value);
      depth--;
    }
  }
  return false;
}
