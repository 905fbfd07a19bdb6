import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mlSmall, mlSmallFolds, sharedDataSkip } from '../../tests/support/shared-data.js';
import { readFoldsDir, readRatingsFile } from './ratings-file.js';

const dir = mkdtempSync(join(tmpdir(), 'recpipe-ratings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readRatingsFile', () => {
  it('names a missing file', async () => {
    await assert.rejects(readRatingsFile(join(dir, 'nope.csv')), /ratings file not found: .*nope\.csv/);
  });
  it('reads MovieLens ratings.csv with its CRLF endings', { skip: sharedDataSkip }, async () => {
    const { dataset, duplicates } = await readRatingsFile(mlSmall('ratings.csv'));
    assert.equal(dataset.size, 100_836);
    assert.equal(dataset.userIds.size, 610);
    assert.equal(dataset.itemIds.size, 9_724);
    assert.deepEqual(dataset.scale, { min: 0.5, max: 5 });
    assert.equal(duplicates.count, 0);
  });
});

describe('readFoldsDir', () => {
  it('pairs fold files in numeric order with one vocabulary per pair and a common scale', async () => {
    const f = join(dir, 'folds');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(f);
    writeFileSync(join(f, 'fold10.train.csv'), 'user,item,rating\n1,1,1\n');
    writeFileSync(join(f, 'fold10.test.csv'), 'user,item,rating\n1,1,2\n');
    writeFileSync(join(f, 'fold2.train.csv'), 'user,item,rating\n1,1,5\n2,1,4\n');
    writeFileSync(join(f, 'fold2.test.csv'), 'user,item,rating\n2,1,3\n');
    const splits = await readFoldsDir(f);
    assert.equal(splits.length, 2);
    assert.equal(splits[0].train.size, 2);
    assert.deepEqual(splits[1].test.scale, { min: 1, max: 5 });
    assert.equal(splits[0].test.userIds, splits[0].train.userIds);
  });
  it('names a fold whose test file is missing', async () => {
    const f = join(dir, 'broken');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(f);
    writeFileSync(join(f, 'fold1.train.csv'), '1,1,1\n');
    await assert.rejects(readFoldsDir(f), /fold 1: ratings file not found: .*fold1\.test\.csv/);
  });
  it('reads the five ml-latest-small folds', { skip: sharedDataSkip }, async () => {
    const splits = await readFoldsDir(mlSmallFolds());
    assert.deepEqual(
      splits.map((s) => s.test.size),
      [20_168, 20_167, 20_167, 20_167, 20_167],
    );
  });
});
