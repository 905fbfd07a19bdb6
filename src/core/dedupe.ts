import type { Dataset } from './dataset.js';
import { subset } from './dataset.js';
import { invalid } from './errors.js';

export type DuplicatePolicy = 'last' | 'first' | 'error';

export interface DuplicateReport {
  readonly count: number;
  /** Row index (0-based, in data order) of the first duplicate found, if any. */
  readonly firstRow: number;
}

/**
 * A (user, item) pair rated more than once keeps one rating: the last by default (a re-rating
 * replaces the old one, as an upsert would), the first, or is an error. Surprise keeps both, which
 * double-counts the pair in SGD; recpipe's loaders never pass duplicates on.
 */
export function dedupe(ds: Dataset, policy: DuplicatePolicy): { dataset: Dataset; duplicates: DuplicateReport } {
  const seenAt = new Map<number, number>();
  const keep = new Uint8Array(ds.size).fill(1);
  let count = 0;
  let firstRow = -1;
  const stride = ds.itemIds.size;
  for (let r = 0; r < ds.size; r++) {
    const key = ds.users[r] * stride + ds.items[r];
    const prev = seenAt.get(key);
    if (prev === undefined) {
      seenAt.set(key, r);
      continue;
    }
    count++;
    if (firstRow < 0) firstRow = r;
    if (policy === 'error') {
      throw invalid(`duplicate rating for user ${ds.userIds.raw(ds.users[r])} and item ${ds.itemIds.raw(ds.items[r])}`, { row: r });
    }
    if (policy === 'last') {
      keep[prev] = 0;
      seenAt.set(key, r);
    } else keep[r] = 0;
  }
  if (count === 0) return { dataset: ds, duplicates: { count, firstRow } };
  const rows = new Int32Array(ds.size - count);
  for (let r = 0, w = 0; r < ds.size; r++) if (keep[r]) rows[w++] = r;
  return { dataset: subset(ds, rows), duplicates: { count, firstRow } };
}
