import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { TextBytes, WriteColumn } from '../warehouse/index.js';
import type { IdKind, TablePlan } from './table-plan.js';

export interface TopNLists {
  /** Model user ids, one output row each. */
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly n: number;
  /** userIds.length × n indexes into itemIds, best first, -1 padded. */
  readonly items: Int32Array;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * The guide's output table: USERID typed as planned (numbers stay numbers) and RECOMMENDATIONS as
 * a JSON array of movie ids, best first; movie ids are JSON numbers when the input column is
 * numeric (canonical ids are already JSON number text), JSON strings otherwise. Integer ids (all
 * of MovieLens) go to the warehouse as id lists, which it turns into JSON itself, several times
 * faster than text made here (bench:jobs); other ids as JSON text.
 */
export async function recommendationColumns(output: TablePlan['output'], itemKind: IdKind, lists: TopNLists): Promise<WriteColumn[]> {
  const userValues = output.userType === 'VARCHAR' ? lists.userIds : await numbers(lists.userIds);
  const ids = itemKind === 'text' || lists.n === 0 ? null : integerIds(lists.itemIds);
  const recommendations: WriteColumn['values'] = ids
    ? { items: lists.items, width: lists.n, ids }
    : await jsonLists(
        lists.itemIds.map((id) => (itemKind !== 'text' && JSON_NUMBER.test(id) ? id : JSON.stringify(id))),
        lists.items,
        lists.n,
        lists.userIds.length,
      );
  return [
    { name: output.userColumn, type: output.userType, values: userValues },
    { name: output.recommendationsColumn, type: 'JSON', values: recommendations },
  ];
}

/** The ids as numbers when each is an integer that prints back as the same text (so the JSON is the same either way), else null. */
function integerIds(ids: readonly string[]): Float64Array | null {
  const out = new Float64Array(ids.length);
  for (let k = 0; k < ids.length; k++) {
    const n = Number(ids[k]);
    if (!Number.isSafeInteger(n) || String(n) !== ids[k]) return null;
    out[k] = n;
  }
  return out;
}

/**
 * A plain loop: `Float64Array.from(ids, Number)` goes through the iterator protocol, 10× slower on 1M ids;
 * it yields to the event loop between blocks, as the JSON text does.
 */
async function numbers(ids: readonly string[]): Promise<Float64Array> {
  const out = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    if (i > 0 && i % (4 * BLOCK_ROWS) === 0) await yieldToEventLoop();
    out[i] = Number(ids[i]);
  }
  return out;
}

/** Rows per block between two yields to the owner thread's event loop (≈ a megabyte of JSON, a few ms). */
const BLOCK_ROWS = 16_384;
const [OPEN, COMMA, CLOSE] = [0x5b, 0x2c, 0x5d];

/**
 * `[t,t,…]` for each row, written as UTF-8 bytes into one buffer that goes to the table writer as is:
 * no string per row or per token (each item's token is encoded once), and the writer hands each
 * row's bytes to DuckDB without decoding them. Yields to the event loop between blocks of rows.
 */
async function jsonLists(tokens: readonly string[], items: Int32Array, n: number, rows: number): Promise<TextBytes> {
  const encoded = tokens.map((t) => Buffer.from(t, 'utf8'));
  const start = new Int32Array(tokens.length + 1);
  encoded.forEach((b, i) => (start[i + 1] = start[i] + b.length));
  const bytes = Buffer.concat(encoded);
  const offsets = new Int32Array(rows + 1);
  let size = 0;
  for (let u = 0; u < rows; u++) {
    size += 2;
    for (let r = 0; r < n; r++) {
      const item = items[u * n + r];
      if (item < 0) break;
      size += start[item + 1] - start[item] + (r > 0 ? 1 : 0);
    }
    if (size > 0x7fffffff) throw new RangeError(`the recommendations of ${rows} users exceed 2 GiB of JSON`);
    offsets[u + 1] = size;
  }
  const out = Buffer.allocUnsafe(size);
  for (let from = 0; from < rows; from += BLOCK_ROWS) {
    if (from > 0) await yieldToEventLoop();
    encodeRows(out, offsets, bytes, start, items, n, from, Math.min(rows, from + BLOCK_ROWS));
  }
  return { bytes: out, offsets };
}

function encodeRows(
  out: Buffer,
  offsets: Int32Array,
  bytes: Buffer,
  start: Int32Array,
  items: Int32Array,
  n: number,
  from: number,
  to: number,
): void {
  for (let u = from; u < to; u++) {
    let at = offsets[u];
    out[at++] = OPEN;
    for (let r = 0; r < n; r++) {
      const item = items[u * n + r];
      if (item < 0) break;
      if (r > 0) out[at++] = COMMA;
      // A byte loop: ids are a few bytes, where Buffer#copy's call costs more than the copy.
      for (let k = start[item], stop = start[item + 1]; k < stop; k++) out[at++] = bytes[k];
    }
    out[at] = CLOSE;
  }
}
