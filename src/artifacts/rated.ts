import { invalid, type Exclusions, type FactorModel, type Trainset } from '../core/index.js';

/** The optional files recording which items each user rated (the trainset's CSR, by the model's inner ids). */
export const RATED_PTR_FILE = 'rated-ptr.i32';
export const RATED_ITEMS_FILE = 'rated-items.i32';

/**
 * The rated items of `ts` for storing beside `model`. They are stored by inner id, so the trainset
 * must be the one the model was fit on: same users and items in the same order (checked here, as a
 * different one would silently exclude the wrong items when serving).
 */
export function ratedOfTrainset(model: FactorModel, ts: Trainset): Exclusions {
  sameIds('user', ts.userIds, model.userIds);
  sameIds('item', ts.itemIds, model.itemIds);
  if (ts.userPtr.length < ts.nUsers + 1 || ts.itemIdx.length < ts.nRatings) {
    throw invalid(`trainingData.trainset's CSR is shorter than its ${ts.nUsers} users and ${ts.nRatings} ratings`);
  }
  const rated = { userPtr: ts.userPtr.subarray(0, ts.nUsers + 1), itemIdx: ts.itemIdx.subarray(0, ts.nRatings) };
  const problem = ratedProblem(rated, model.userIds.length, model.itemIds.length);
  if (problem) throw invalid(`trainingData.trainset cannot be stored as ${problem.file}: its CSR ${problem.what}`);
  return rated;
}

function sameIds(kind: string, trainset: readonly string[], model: readonly string[]): void {
  const at = trainset.length === model.length ? trainset.findIndex((id, x) => id !== model[x]) : Math.min(trainset.length, model.length);
  if (at < 0) return;
  throw invalid(
    `trainingData.trainset's ${kind} ids differ from the model's at inner id ${at} (${JSON.stringify(trainset[at] ?? null)} vs ${JSON.stringify(model[at] ?? null)}; ` +
      `${trainset.length} vs ${model.length} ${kind}s): pass the trainset the model was fit on`,
  );
}

/**
 * What makes `r` not a valid list of rated items for `users` users over `items` items, naming the
 * file it would show in, or null. Checked on write and on read, because top-N trusts the CSR: a
 * decreasing offset or an item index out of range would read past the model's arrays.
 */
export function ratedProblem(r: Exclusions, users: number, items: number): { readonly file: string; readonly what: string } | null {
  const ptr = r.userPtr;
  const bad = (file: string, what: string) => ({ file, what });
  if (ptr.length !== users + 1) return bad(RATED_PTR_FILE, `holds ${ptr.length} offsets, expected ${users + 1} (users + 1)`);
  if (ptr[0] !== 0) return bad(RATED_PTR_FILE, `starts at ${ptr[0]}, expected 0`);
  for (let u = 0; u < users; u++) {
    if (ptr[u + 1] < ptr[u]) return bad(RATED_PTR_FILE, `decreases at user ${u}: offset ${ptr[u]} then ${ptr[u + 1]}`);
  }
  if (ptr[users] !== r.itemIdx.length)
    return bad(RATED_PTR_FILE, `ends at ${ptr[users]}, but ${RATED_ITEMS_FILE} holds ${r.itemIdx.length} items`);
  for (let x = 0; x < r.itemIdx.length; x++) {
    const i = r.itemIdx[x];
    if (!(i >= 0 && i < items)) return bad(RATED_ITEMS_FILE, `holds item ${i} at entry ${x}, outside the model's ${items} items`);
  }
  return null;
}
