import { buildTrainset, createRng, shuffleInPlace, subset, type Dataset, type TrainsetWithLookup } from '../../src/core/index.js';

/**
 * Holds `count` users (chosen with a seeded shuffle) out of training entirely, as new users who
 * arrive after it: the trainset of everyone else, and each held-out user's rows of `ds` in data order.
 */
export function holdOutUsers(ds: Dataset, count: number, seed = 7): { built: TrainsetWithLookup; heldRows: Map<number, number[]> } {
  const users = shuffleInPlace(
    Int32Array.from({ length: ds.userIds.size }, (_, u) => u),
    createRng(seed),
  );
  const held = new Set(users.subarray(0, count));
  const train: number[] = [];
  const heldRows = new Map<number, number[]>();
  for (let r = 0; r < ds.size; r++) {
    if (!held.has(ds.users[r])) train.push(r);
    else heldRows.set(ds.users[r], [...(heldRows.get(ds.users[r]) ?? []), r]);
  }
  return { built: buildTrainset(subset(ds, Int32Array.from(train))), heldRows };
}
