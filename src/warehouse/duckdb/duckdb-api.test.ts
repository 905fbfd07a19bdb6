import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../util/package-root.js';

describe('duckdb-api', () => {
  it('loads the one-file bundle that npm run build makes, not the package’s 180 files, and opens DuckDB with it', {
    timeout: 60_000,
  }, () => {
    const bundle = join(packageRoot(), 'build', 'duckdb-node-api.cjs');
    assert.ok(existsSync(bundle), `${bundle} is missing: npm run build makes it`);
    // A fresh process: this one may hold modules that other test files loaded.
    const script = `
      const api = await import(${JSON.stringify(new URL('./duckdb-api.js', import.meta.url).href)});
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      const instance = await api.DuckDBInstance.create(':memory:');
      const rows = (await (await instance.connect()).runAndReadAll('SELECT 40 + 2')).getRows();
      console.log(JSON.stringify({ loaded, answer: Number(rows[0][0]) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as {
      loaded: string[];
      answer: number;
    };
    assert.ok(out.loaded.includes(bundle), `the bundle was not loaded: ${out.loaded.join(', ')}`);
    assert.deepEqual(
      out.loaded.filter((f) => f.includes(join('@duckdb', 'node-api'))),
      [],
      'the package’s own files were loaded as well',
    );
    assert.equal(out.answer, 42);
  });
});
