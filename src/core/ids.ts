/**
 * Raw ids arrive as numbers, numeric strings or arbitrary strings depending on the source (CSV,
 * SQL INT/FLOAT/VARCHAR columns, JSON). They are normalised to one canonical string so that
 * 1, "1", "1.0" and 1.0 name the same user (Surprise treats them as different ids).
 */
const CANONICAL_INT = /^(0|-?[1-9]\d{0,14})$/;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export type RawId = string | number | bigint;

export function normalizeId(raw: RawId): string {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new RangeError(`id must be finite, got ${raw}`);
    return Object.is(raw, -0) ? '0' : String(raw);
  }
  if (typeof raw === 'bigint') return raw.toString();
  if (CANONICAL_INT.test(raw)) return raw;
  const s = raw.trim();
  if (NUMERIC.test(s)) {
    const n = Number(s);
    if (Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n))) return normalizeId(n);
  }
  return s;
}

/** Compares canonical ids: numerically when both are numbers, else as strings. */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  const aNum = a !== '' && !Number.isNaN(na);
  const bNum = b !== '' && !Number.isNaN(nb);
  if (aNum && bNum) return na - nb;
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A growing raw-id <-> inner-id vocabulary; inner ids are 0..size-1 in order of first appearance. */
export class IdMap {
  private readonly toInner = new Map<string, number>();
  private readonly toRaw: string[] = [];

  static from(rawIds: readonly string[]): IdMap {
    const m = new IdMap();
    for (const id of rawIds) {
      if (m.intern(id) !== m.size - 1) throw new RangeError(`duplicate id ${JSON.stringify(id)} in vocabulary`);
    }
    return m;
  }

  get size(): number {
    return this.toRaw.length;
  }

  /** Inner id of an already normalised id, adding it when new. */
  intern(id: string): number {
    let inner = this.toInner.get(id);
    if (inner === undefined) {
      inner = this.toRaw.length;
      this.toInner.set(id, inner);
      this.toRaw.push(id);
    }
    return inner;
  }

  /** Inner id of any raw id, or -1 when unknown. */
  lookup(raw: RawId): number {
    return this.toInner.get(typeof raw === 'string' && CANONICAL_INT.test(raw) ? raw : normalizeId(raw)) ?? -1;
  }

  raw(inner: number): string {
    const id = this.toRaw[inner];
    if (id === undefined) throw new RangeError(`inner id ${inner} out of range 0..${this.size - 1}`);
    return id;
  }

  rawIds(): readonly string[] {
    return this.toRaw;
  }
}
