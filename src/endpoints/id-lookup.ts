import { invalid, normalizeId, type RecpipeError } from '../core/index.js';

/** What `IdLookup.find` returns besides inner ids: -1 unknown, NULL_ID for null/undefined, BAD_ID for a value that cannot be an id. */
export const NULL_ID = -2;
export const BAD_ID = -3;

/**
 * Raw id → inner id for serving, answering exactly as `IdMap.lookup` over the same vocabulary but
 * without building a string per lookup on the common paths:
 *   - a safe-integer number (SQL INTEGER/FLOAT columns, JSON numbers) is looked up in a
 *     Map<number, inner> of the vocabulary's canonical integer ids (1, 1.0 and "1" are one id);
 *   - a string is first looked up as it is (a hit is a canonical id, so it is the answer), then as
 *     an integer id written as a float ("610.0": what SQL gives when a FLOAT column is cast to
 *     VARCHAR, as the guide's invoke_model(VARCHAR…) over FLOAT ids does), and only then pays for
 *     normalisation (" 1 ", "1e0").
 * Vocabulary entries that are not canonical can never be reached by IdMap.lookup either, so they are
 * left out.
 */
export class IdLookup {
  private readonly byNumber = new Map<number, number>();
  private readonly byString = new Map<string, number>();
  private readonly byFloatString = new Map<string, number>();

  constructor(vocabulary: readonly string[]) {
    for (let inner = 0; inner < vocabulary.length; inner++) {
      const id = vocabulary[inner];
      if (normalizeId(id) !== id) continue;
      this.byString.set(id, inner);
      const n = Number(id);
      if (Number.isSafeInteger(n) && String(n) === id) {
        this.byNumber.set(n, inner);
        this.byFloatString.set(`${id}.0`, inner);
      }
    }
  }

  /**
   * Inner id; -1 when unknown; NULL_ID for null/undefined; BAD_ID for NaN, Infinity, booleans,
   * objects (the caller names the row: building a message here would cost every lookup).
   */
  find(raw: unknown): number {
    switch (typeof raw) {
      case 'number':
        if (Number.isSafeInteger(raw)) return this.byNumber.get(raw) ?? -1;
        if (!Number.isFinite(raw)) return BAD_ID;
        return this.byString.get(normalizeId(raw)) ?? -1;
      case 'string':
        return this.byString.get(raw) ?? this.byFloatString.get(raw) ?? this.byString.get(normalizeId(raw)) ?? -1;
      case 'bigint':
        return raw >= -MAX_SAFE && raw <= MAX_SAFE ? (this.byNumber.get(Number(raw)) ?? -1) : (this.byString.get(raw.toString()) ?? -1);
      case 'undefined':
        return NULL_ID;
      default:
        return raw === null ? NULL_ID : BAD_ID;
    }
  }
}

/** INVALID_ARGUMENT for a value `find` called BAD_ID, e.g. "user id at row 3 is NaN; an id must be …". */
export function badId(what: string, raw: unknown): RecpipeError {
  const shown = typeof raw === 'number' ? String(raw) : `a ${typeof raw} (${preview(raw)})`;
  return invalid(`${what} is ${shown}; an id must be a finite number or a string (or NULL)`);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? s.slice(0, 60) + '…' : s;
}
