/**
 * The slice of the WebAssembly JS API the kernels use. The project compiles against ES2023 and
 * @types/node 20, neither of which declares the `WebAssembly` global (only lib.dom does), so it is
 * typed here rather than pulling the DOM typings into a Node program.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A compiled module: opaque, but cloneable to worker threads. */
export type WasmModule = object & { readonly __wasmModule?: never };

interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
}

export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
