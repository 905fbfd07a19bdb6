/**
 * The SQL parser/generator (@polyglot-sql/sdk, a Rust/WASM port of sqlglot's design), loaded on
 * first use: it is 24 MB and takes ~0.5 s to import, so commands that never run SQL never load it.
 * Nothing outside src/sql/dialect imports it; its AST is reached only through ./ast.ts.
 */
import { setFlagsFromString } from 'node:v8';

type Sdk = typeof import('@polyglot-sql/sdk');

let loading: Promise<Sdk> | null = null;
let loaded: Sdk | null = null;

/**
 * The module is compiled by V8's baseline compiler only: optimising its 22 MB of code in the
 * background cost ~8x the CPU of the baseline compile (measured: 13.9 s vs 1.5 s of CPU for a
 * CLI run on a loaded machine) and held short-lived processes at exit. The flag is restored
 * once it is compiled (see restoreTierUp), so recpipe's own WASM kernels are still optimised.
 */
export function loadSdk(): Promise<Sdk> {
  if (!loading) {
    setFlagsFromString('--liftoff-only');
    setFlagsFromString('--no-wasm-lazy-compilation');
    loading = import('@polyglot-sql/sdk').then((sdk) => (loaded = sdk)).finally(restoreTierUp);
  }
  return loading;
}

/**
 * `--liftoff-only` also turns tier-up off, and `--no-liftoff-only` does not turn it back on: without
 * the tier-up flags every module compiled afterwards, in any thread (the training job's kernels),
 * stays baseline code, 3.5× slower (issue 14: SQL-mode top-N took 4.5× file mode's). The SDK is
 * compiled eagerly while it loads, so none of its functions is compiled once tier-up is back on:
 * lazily compiled ones would be optimised (13 s instead of 2 s of CPU for ten statements); eager
 * baseline compilation costs about 1 s of CPU once per process instead.
 */
function restoreTierUp(): void {
  setFlagsFromString('--wasm-lazy-compilation');
  setFlagsFromString('--no-liftoff-only');
  setFlagsFromString('--wasm-tier-up');
  setFlagsFromString('--wasm-dynamic-tiering');
}

/** The loaded SDK; callers awaited `loadSdk()` first (the executor does, once per request). */
export function sdk(): Sdk {
  if (!loaded) throw new Error('the SQL dialect is not loaded yet: await loadSdk() first');
  return loaded;
}

export const SNOWFLAKE = 'snowflake' as import('@polyglot-sql/sdk').Dialect;
export const DUCKDB = 'duckdb' as import('@polyglot-sql/sdk').Dialect;
