import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs in a child with V8's natives syntax: loads the SQL dialect (whose import switches V8 to
 * baseline-only wasm for its own module) when asked, then calls a kernel export until V8 has
 * optimised it or gives up, and prints which tier the export ended in.
 */
const probe = (loadDialect: boolean): string => `
const { loadSdk } = await import(${JSON.stringify(new URL('../sql/dialect/polyglot.js', import.meta.url).href)});
const { wasmModule } = await import(${JSON.stringify(new URL('./index.js', import.meta.url).href)});
if (${loadDialect}) await loadSdk();
const f = new WebAssembly.Instance(wasmModule(), {}).exports.topNScratchBytes;
for (let round = 0; round < 400 && !%IsTurboFanFunction(f); round++) {
  for (let i = 0; i < 20000; i++) f(i, 100, 10);
  await new Promise((r) => setTimeout(r, 5));
}
console.log(JSON.stringify({ liftoff: %IsLiftoffFunction(f), turbofan: %IsTurboFanFunction(f) }));
`;

async function tierAfter(loadDialect: boolean): Promise<{ liftoff: boolean; turbofan: boolean }> {
  const { stdout } = await run(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', probe(loadDialect)], {
    timeout: 180_000,
  });
  return JSON.parse(stdout.trim()) as { liftoff: boolean; turbofan: boolean };
}

describe('WebAssembly kernels are optimised code', () => {
  it('without the SQL dialect loaded', async () => {
    assert.deepEqual(await tierAfter(false), { liftoff: false, turbofan: true });
  });

  it('after the SQL dialect (compiled baseline-only) was loaded in the same process', async () => {
    // The SQL-mode training job runs in the engine's process, where the dialect is always loaded first.
    assert.deepEqual(await tierAfter(true), { liftoff: false, turbofan: true });
  });
});
