import { RecpipeError } from '../core/index.js';
import type { WasmMemory } from './wasm-api.js';

const PAGE = 65536;
const ALIGN = 16;

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

export type Layout<K extends string> = { readonly [P in K]: number } & { readonly end: number };

/**
 * The module allocates nothing itself (AssemblyScript `runtime: stub`): JavaScript lays typed arrays
 * out in linear memory at computed offsets, growing the memory when a call needs more. Views must be
 * taken after `layout`, since growing detaches the old buffer.
 */
export class LinearMemory {
  constructor(
    private readonly memory: WasmMemory,
    readonly base: number,
  ) {}

  /** Places the regions one after another from `from`, each 16-byte aligned (v128 loads), and grows to fit. */
  layout<K extends string>(sizes: Readonly<Record<K, number>>, from = this.base): Layout<K> {
    const out: Record<string, number> = {};
    let at = alignUp(from, ALIGN);
    for (const [name, bytes] of Object.entries(sizes) as [string, number][]) {
      out[name] = at;
      at = alignUp(at + bytes, ALIGN);
    }
    this.ensure(at);
    return { ...out, end: at } as Layout<K>;
  }

  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length);
  }

  f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, offset, length);
  }

  i32(offset: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, offset, length);
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    try {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch (e) {
      throw new RecpipeError(
        'RESOURCE_EXHAUSTED',
        `WebAssembly kernels need ${bytes} bytes of linear memory, more than the 4 GiB a wasm32 module can address: ${(e as Error).message}`,
        { bytes },
      );
    }
  }
}
