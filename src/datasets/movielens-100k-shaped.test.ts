import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../tests/support/temp-engine.js';
import { ML100K_SHAPE, movielens100kShaped } from './movielens-100k-shaped.js';
import { readRatingsFile } from './ratings-file.js';

describe('MovieLens-100K-shaped ratings', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it("has ml-100k's shape and format, and the same bytes for the same seed", async () => {
    const a = movielens100kShaped();
    assert.equal(a.tsv, movielens100kShaped().tsv);
    assert.notEqual(a.tsv, movielens100kShaped(101).tsv);
    const lines = a.tsv.trimEnd().split('\n');
    assert.equal(lines.length, ML100K_SHAPE.ratings);
    assert.match(lines[0], /^\d+\t\d+\t[1-5]\t\d{9}$/);
    const file = join(tmp.dir, 'u.data');
    writeFileSync(file, a.tsv);
    const { dataset, duplicates } = await readRatingsFile(file);
    assert.equal(duplicates.count, 0);
    assert.equal(dataset.size, ML100K_SHAPE.ratings);
    assert.equal(dataset.userIds.size, ML100K_SHAPE.users);
    assert.ok(dataset.itemIds.size <= ML100K_SHAPE.items && dataset.itemIds.size > 1_500, `${dataset.itemIds.size} items`);
    assert.deepEqual(dataset.scale, { min: 1, max: 5 });
    const perUser = new Int32Array(dataset.userIds.size);
    for (const u of dataset.users) perUser[u]++;
    assert.ok(Math.min(...perUser) >= ML100K_SHAPE.minPerUser);
    assert.ok(Math.max(...perUser) > 300, 'a long tail of very active users');
    const mean = dataset.ratings.reduce((s, r) => s + r, 0) / dataset.size;
    assert.ok(Math.abs(mean - 3.53) < 0.1, `mean rating ${mean}`);
    assert.ok(a.oracleRmse > 0.8 && a.oracleRmse < 0.9, `oracle RMSE ${a.oracleRmse}`);
  });
});
