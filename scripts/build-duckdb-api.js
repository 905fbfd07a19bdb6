// Bundles @duckdb/node-api (CommonJS in ~180 files) into build/duckdb-node-api.cjs, one file that
// src/warehouse/duckdb/duckdb-api.ts loads: every process that opens DuckDB (a short `recpipe train`
// above all) otherwise spends ~0.1 CPU-s more resolving and reading those files. The native binding stays
// the package's own (external). Run by `npm run build`.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'build', 'duckdb-node-api.cjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [createRequire(import.meta.url).resolve('@duckdb/node-api')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@duckdb/node-bindings'],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'inline',
  logLevel: 'warning',
});
console.log('duckdb: build/duckdb-node-api.cjs');
