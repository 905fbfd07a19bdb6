import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrainset, type Dataset } from './dataset.js';
import { IdMap } from './ids.js';

/** A dataset of (user, item, rating) rows in the given order, ids interned in order of first appearance. */
function dataset(rows: readonly (readonly [string, string, number])[], opts: { timestamps?: boolean; spare?: number } = {}): Dataset {
  const userIds = new IdMap();
  const itemIds = new IdMap();
  // A reader's arrays may be longer than its size (sized from an estimate of the row count).
  const length = rows.length + (opts.spare ?? 0);
  const users = new Int32Array(length);
  const items = new Int32Array(length);
  const ratings = new Float32Array(length);
  rows.forEach(([u, i, r], k) => {
    users[k] = userIds.intern(u);
    items[k] = itemIds.intern(i);
    ratings[k] = r;
  });
  const timestamps = opts.timestamps ? Float64Array.from(rows, (_, k) => 1000 + k) : undefined;
  return { size: rows.length, users, items, ratings, userIds, itemIds, scale: { min: 1, max: 5 }, ...(timestamps ? { timestamps } : {}) };
}

const grouped: [string, string, number][] = [
  ['u1', 'a', 4],
  ['u1', 'b', 3],
  ['u2', 'b', 5],
  ['u2', 'c', 1],
  ['u2', 'a', 2],
  ['u3', 'd', 3.5],
];

test('a file grouped by user is its own CSR: the trainset shares its arrays and equals the copied one', () => {
  const ds = dataset(grouped, { spare: 3 });
  const shared = buildTrainset(ds).trainset;
  assert.equal(shared.itemIdx.buffer, ds.items.buffer);
  assert.equal(shared.ratings.buffer, ds.ratings.buffer);
  assert.equal(shared.itemIdx.length, grouped.length);
  // With timestamps the arrays are always copied: the same data through the copying path.
  const copied = buildTrainset(dataset(grouped, { timestamps: true })).trainset;
  assert.notEqual(copied.itemIdx.buffer, ds.items.buffer);
  assert.deepEqual([...shared.userPtr], [...copied.userPtr]);
  assert.deepEqual([...shared.itemIdx], [...copied.itemIdx]);
  assert.deepEqual([...shared.ratings], [...copied.ratings]);
  assert.equal(shared.globalMean, copied.globalMean);
  assert.deepEqual([shared.userIds, shared.itemIds], [copied.userIds, copied.itemIds]);
  assert.deepEqual([...shared.userPtr], [0, 2, 5, 6]);
  assert.equal(shared.globalMean, 18.5 / 6);
});

test('a user coming back later is grouped by copying, in data order within the user', () => {
  const rows: [string, string, number][] = [
    ['u1', 'a', 4],
    ['u2', 'b', 5],
    ['u1', 'c', 2],
  ];
  const ds = dataset(rows);
  const ts = buildTrainset(ds).trainset;
  assert.notEqual(ts.itemIdx.buffer, ds.items.buffer);
  assert.deepEqual([...ts.userPtr], [0, 2, 3]);
  assert.deepEqual(
    [...ts.itemIdx].map((i) => ts.itemIds[i]),
    ['a', 'c', 'b'],
  );
  assert.deepEqual([...ts.ratings], [4, 2, 5]);
});

test('a subset whose vocabulary holds ids it never uses is copied with local ids', () => {
  const ds = dataset(grouped);
  // Rows of u2 only: user 0 and item "d" are absent, so local ids differ from the dataset's.
  const only = { ...ds, size: 3, users: ds.users.slice(2, 5), items: ds.items.slice(2, 5), ratings: ds.ratings.slice(2, 5) };
  const ts = buildTrainset(only).trainset;
  assert.notEqual(ts.itemIdx.buffer, only.items.buffer);
  assert.deepEqual(ts.userIds, ['u2']);
  assert.deepEqual(ts.itemIds, ['b', 'c', 'a']);
  assert.deepEqual([...ts.itemIdx], [0, 1, 2]);
});
