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
export function recommendationColumns(output: TablePlan['output'], itemKind: IdKind, lists: TopNLists): WriteColumn[] {
  const tokens = lists.itemIds.map((id) => (itemKind !== 'text' && JSON_NUMBER.test(id) ? id : JSON.stringify(id)));
  const userValues = output.userType === 'VARCHAR' ? lists.userIds : numbers(lists.userIds);
  return [
    { name: output.userColumn, type: output.userType, values: userValues },
    { name: output.recommendationsColumn, type: 'JSON', values: jsonLists(tokens, lists.items, lists.n, lists.userIds.length) },
  ];
}

/** A plain loop: `Float64Array.from(ids, Number)` goes through the iterator protocol, 10× slower on 1M ids. */
function numbers(ids: readonly string[]): Float64Array {
  const out = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = Number(ids[i]);
  return out;
}

/** Rows per block: one block's text stays a few megabytes, far below V8's longest string. */
const BLOCK_ROWS = 65_536;
const [OPEN, COMMA, CLOSE] = [0x5b, 0x2c, 0x5d];

/**
 * `[t,t,…]` for each row. Joining strings makes millions of short-lived string pieces (3× slower
 * measured on 1M rows); instead each block of rows is written as UTF-8 bytes into one buffer,
 * decoded once, and each row is a slice of that one flat string.
 */
function jsonLists(tokens: readonly string[], items: Int32Array, n: number, rows: number): string[] {
  const encoded = tokens.map((t) => Buffer.from(t, 'utf8'));
  const start = new Int32Array(tokens.length + 1);
  encoded.forEach((b, i) => (start[i + 1] = start[i] + b.length));
  const bytes = Buffer.concat(encoded);
  const out = new Array<string>(rows);
  for (let from = 0; from < rows; from += BLOCK_ROWS) {
    const to = Math.min(rows, from + BLOCK_ROWS);
    let size = 2 * (to - from);
    for (let x = from * n; x < to * n; x++) if (items[x] >= 0) size += start[items[x] + 1] - start[items[x]] + 1;
    const buf = Buffer.allocUnsafe(size);
    const ends = new Int32Array(to - from);
    let at = 0;
    let chars = 0;
    for (let u = from; u < to; u++) {
      buf[at++] = OPEN;
      for (let r = 0, x = u * n; r < n && items[x + r] >= 0; r++) {
        if (r > 0) buf[at++] = COMMA;
        const item = items[x + r];
        for (let k = start[item]; k < start[item + 1]; k++) buf[at++] = bytes[k];
        chars += tokens[item].length + (r > 0 ? 1 : 0);
      }
      buf[at++] = CLOSE;
      chars += 2;
      ends[u - from] = chars;
    }
    // Tokens are well-formed (JSON.stringify escapes lone surrogates), so UTF-16 lengths add up exactly.
    const text = buf.toString('utf8', 0, at);
    for (let u = from, s = 0; u < to; u++) {
      out[u] = text.slice(s, ends[u - from]);
      s = ends[u - from];
    }
  }
  return out;
}
