import { createHash } from 'node:crypto';

/**
 * Byte encodings of an artifact's arrays. Numbers are stored little-endian whatever the host, so an
 * artifact written on one machine loads on any other; on little-endian hosts (nearly all) encoding
 * is a view and decoding one memcpy.
 */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function float32ToBytes(a: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat32(i * 4, a[i], true);
  return out;
}

/**
 * `bytes.length` must be a multiple of 4. Views `bytes` when they fill their own buffer (as the
 * stores' reads do) on a little-endian host; otherwise copies, so the result never shares memory
 * with anything else (a Buffer pool, a larger read).
 */
export const bytesToFloat32 = (bytes: Uint8Array): Float32Array =>
  fromLittleEndian(
    bytes,
    (b) => new Float32Array(b),
    (n) => new Float32Array(n),
    (v, at) => v.getFloat32(at, true),
  );

/** As bytesToFloat32, for int32 little-endian. */
export const bytesToInt32 = (bytes: Uint8Array): Int32Array =>
  fromLittleEndian(
    bytes,
    (b) => new Int32Array(b),
    (n) => new Int32Array(n),
    (v, at) => v.getInt32(at, true),
  );

function fromLittleEndian<T extends Float32Array | Int32Array>(
  bytes: Uint8Array,
  view: (buffer: ArrayBufferLike) => T,
  alloc: (length: number) => T,
  get: (v: DataView, at: number) => number,
): T {
  if (LITTLE_ENDIAN_HOST && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return view(bytes.buffer);
  const out = alloc(bytes.byteLength / 4);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = get(dv, i * 4);
  return out;
}

export function int32ToBytes(a: Int32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setInt32(i * 4, a[i], true);
  return out;
}

/**
 * Id vocabularies as newline-joined UTF-8, one id per line in inner-id order: compact, readable with
 * `head`, and decoded by one `split`. The rare id holding a newline or backslash is escaped (`\n`,
 * `\\`) so a line is always exactly one id; the reader checks the line count against the manifest.
 */
export function encodeIds(ids: readonly string[]): Uint8Array {
  const lines = ids.map((id) => (id.includes('\n') || id.includes('\\') ? id.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : id));
  return Buffer.from(lines.join('\n'), 'utf8');
}

/** Decodes `count` ids; returns null when the bytes hold a different number of lines. */
export function decodeIds(bytes: Uint8Array, count: number): string[] | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (count === 0) return text === '' ? [] : null;
  const ids = text.split('\n');
  if (ids.length !== count) return null;
  if (!text.includes('\\')) return ids;
  return ids.map((id) => (id.includes('\\') ? id.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')) : id));
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
