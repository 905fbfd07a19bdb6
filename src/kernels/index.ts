import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { invalid, RecpipeError, referenceKernels, type Kernels } from '../core/index.js';
import { wasmApi, type WasmModule } from './wasm-api.js';
import { createWasmKernels } from './wasm-kernels.js';

export { createWasmKernels, type WasmKernelOptions } from './wasm-kernels.js';

export type KernelPreference = 'wasm' | 'typescript' | 'auto';

export const kernelPreferences: readonly KernelPreference[] = ['wasm', 'typescript', 'auto'];

/** build/kernels.wasm of this package. */
export function wasmKernelsPath(): string {
  return join(packageRoot(), 'build', 'kernels.wasm');
}

const compiled = new Map<string, WasmModule>();

/** The compiled module, compiled once per thread and path (synchronously: it is a few kilobytes). */
export function wasmModule(path = wasmKernelsPath()): WasmModule {
  const known = compiled.get(path);
  if (known) return known;
  if (!existsSync(path))
    throw new RecpipeError('FAILED_PRECONDITION', `WebAssembly kernels not built: ${path} is missing (run npm run build:wasm)`, { path });
  let module: WasmModule;
  try {
    module = new wasmApi.Module(readFileSync(path));
  } catch (e) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `WebAssembly kernels at ${path} cannot be compiled here (SIMD needed): ${(e as Error).message}`,
      { path },
    );
  }
  compiled.set(path, module);
  return module;
}

/**
 * Kernels for a preference: `wasm` (error when unavailable), `typescript` (the reference), or `auto`
 * (wasm, else the reference, telling `onFallback` why). Each call returns a fresh wasm instance with its
 * own linear memory, so independent callers never share scratch space.
 */
export function loadKernels(preference: KernelPreference = 'auto', onFallback?: (reason: string) => void, wasmPath?: string): Kernels {
  if (!kernelPreferences.includes(preference))
    throw invalid(`unknown kernel preference '${preference}'; known: ${kernelPreferences.join(', ')}`, { preference });
  if (preference === 'typescript') return referenceKernels;
  if (preference === 'wasm') return createWasmKernels(wasmModule(wasmPath));
  try {
    return createWasmKernels(wasmModule(wasmPath));
  } catch (e) {
    if (!(e instanceof RecpipeError) || e.code !== 'FAILED_PRECONDITION') throw e;
    onFallback?.(`using the TypeScript reference kernels: ${e.message}`);
    return referenceKernels;
  }
}
