import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { WriteColumn } from '../warehouse/index.js';
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
 * numeric (canonical ids are already JSON number text), JSON strings otherwise.
 */
export async function recommendationColumns(output: TablePlan['output'], itemKind: IdKind, lists: TopNLists): Promise<WriteColumn[]> {
  const tokens = lists.itemIds.map((id) => (itemKind !== 'text' && JSON_NUMBER.test(id) ? id : JSON.stringify(id)));
  const userValues = output.userType === 'VARCHAR' ? lists.userIds : await numbers(lists.userIds);
  return [
    { name: output.userColumn, type: output.userType, values: userValues },
    { name: output.recommendationsColumn, type: 'JSON', values: await jsonLists(tokens, lists.items, lists.n, lists.userIds.length) },
  ];
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

/**
 * Rows per block: one block's text stays about a megabyte, far below V8's longest string, and takes
 * ≈ 10 ms; the owner thread yields to its event loop between blocks.
 */
const BLOCK_ROWS = 16_384;
const [OPEN, COMMA, CLOSE] = [0x5b, 0x2c, 0x5d];

/**
 * `[t,t,…]` for each row. Joining strings makes millions of short-lived string pieces (3× slower
 * measured on 1M rows); instead each block of rows is written as UTF-8 bytes into one buffer,
 * decoded once, and each row is a slice of that one flat string. All-ASCII tokens (every numeric
 * id) decode as latin1, which skips UTF-8 validation: 3× faster on the 60 MB of a 1M-row table.
 */
async function jsonLists(tokens: readonly string[], items: Int32Array, n: number, rows: number): Promise<string[]> {
  const encoded = tokens.map((t) => Buffer.from(t, 'utf8'));
  const start = new Int32Array(tokens.length + 1);
  encoded.forEach((b, i) => (start[i + 1] = start[i] + b.length));
  const chars = Int32Array.from(tokens, (t) => t.length);
  const bytes = Buffer.concat(encoded);
  const ascii = bytes.every((b) => b < 0x80);
  const out = new Array<string>(rows);
  for (let from = 0; from < rows; from += BLOCK_ROWS) {
    if (from > 0) await yieldToEventLoop();
    const to = Math.min(rows, from + BLOCK_ROWS);
    const { buf, length, ends } = encodeBlock(bytes, start, chars, items, n, from, to);
    // Tokens are well-formed (JSON.stringify escapes lone surrogates), so UTF-16 lengths add up exactly.
    const text = buf.toString(ascii ? 'latin1' : 'utf8', 0, length);
    for (let u = from, s = 0; u < to; u++) {
      out[u] = text.slice(s, ends[u - from]);
      s = ends[u - from];
    }
  }
  return out;
}

/** Rows `from`…`to` as bytes, with each row's end as a UTF-16 offset into the decoded text. */
function encodeBlock(bytes: Buffer, start: Int32Array, chars: Int32Array, items: Int32Array, n: number, from: number, to: number) {
  let size = 2 * (to - from);
  for (let x = from * n; x < to * n; x++) if (items[x] >= 0) size += start[items[x] + 1] - start[items[x]] + 1;
  const buf = Buffer.allocUnsafe(size);
  const ends = new Int32Array(to - from);
  let at = 0;
  let end = 0;
  for (let u = from; u < to; u++) {
    buf[at++] = OPEN;
    const base = u * n;
    for (let r = 0; r < n; r++) {
      const item = items[base + r];
      if (item < 0) break;
      if (r > 0) {
        buf[at++] = COMMA;
        end++;
      }
      const stop = start[item + 1];
      for (let k = start[item]; k < stop; k++) buf[at++] = bytes[k];
      end += chars[item];
    }
    buf[at++] = CLOSE;
    end += 2;
    ends[u - from] = end;
  }
  return { buf, length: at, ends };
}
