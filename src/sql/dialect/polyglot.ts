/**
 * The SQL parser/generator (@polyglot-sql/sdk, a Rust/WASM port of sqlglot's design), loaded on
 * first use: it is 24 MB and takes ~0.5 s to import, so commands that never run SQL never load it.
 * Nothing outside src/sql/dialect imports it; its AST is reached only through ./ast.ts.
 */
type Sdk = typeof import('@polyglot-sql/sdk');

let loading: Promise<Sdk> | null = null;
let loaded: Sdk | null = null;

export function loadSdk(): Promise<Sdk> {
  loading ??= import('@polyglot-sql/sdk').then((sdk) => (loaded = sdk));
  return loading;
}

/** The loaded SDK; callers awaited `loadSdk()` first (the executor does, once per request). */
export function sdk(): Sdk {
  if (!loaded) throw new Error('the SQL dialect is not loaded yet: await loadSdk() first');
  return loaded;
}

export const SNOWFLAKE = 'snowflake' as import('@polyglot-sql/sdk').Dialect;
export const DUCKDB = 'duckdb' as import('@polyglot-sql/sdk').Dialect;
