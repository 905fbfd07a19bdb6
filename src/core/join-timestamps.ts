import type { Dataset } from './dataset.js';
import { invalid } from './errors.js';

/**
 * `ds` with the timestamps of the same (user, item) ratings in `from`: for rating files without a
 * timestamp column (fold files cut from a timed ratings file), so a time-aware model can train and be
 * scored on them. Names the first rating `from` lacks.
 */
export function joinTimestamps(ds: Dataset, from: Dataset): Dataset {
  if (!from.timestamps) throw invalid('the ratings to take timestamps from have none');
  const when = new Map<string, number>();
  for (let r = 0; r < from.size; r++)
    when.set(`${from.userIds.raw(from.users[r])}\u0000${from.itemIds.raw(from.items[r])}`, from.timestamps[r]);
  const timestamps = new Float64Array(ds.size);
  for (let r = 0; r < ds.size; r++) {
    const user = ds.userIds.raw(ds.users[r]);
    const item = ds.itemIds.raw(ds.items[r]);
    const t = when.get(`${user}\u0000${item}`);
    if (t === undefined) throw invalid(`no timestamp for user ${user}'s rating of item ${item}`, { user, item });
    timestamps[r] = t;
  }
  return { ...ds, timestamps };
}
