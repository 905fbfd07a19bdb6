import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readsTimestamps } from '../../core/index.js';
import { recpipeInProcess } from '../../../tests/support/cli-in-process.js';

describe("which models read the ratings' timestamps", () => {
  test('timeSVD always; a blend when one of its components does; others never', { timeout: 10_000 }, () => {
    assert.equal(readsTimestamps('timesvd'), true);
    assert.equal(readsTimestamps('svd'), false);
    assert.equal(readsTimestamps('blend'), false);
    assert.equal(readsTimestamps('blend', { components: 'svd,timesvd' }), true);
    assert.equal(readsTimestamps('blend', { components: ['baseline', { algorithm: 'timeSVD', params: { n_factors: 2 } }] }), true);
    assert.throws(() => readsTimestamps('blend', { components: 'svd,nosuch' }), /unknown algorithm 'nosuch'/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'recpipe-train-ts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("`train --algo blend` with a timeSVD component reads the file's timestamps", { timeout: 60_000 }, async () => {
    // 40 users × 30 items, a rating a day: enough for timeSVD's day bins and a 2-fold inner blend.
    const lines = ['userId,movieId,rating,timestamp'];
    for (let u = 1; u <= 40; u++)
      for (let i = 1; i <= 30; i++)
        if ((u * 7 + i * 3) % 4 !== 0) lines.push(`${u},${i},${1 + ((u + i) % 5)},${1_600_000_000 + (u * 30 + i) * 86_400}`);
    const ratings = join(dir, 'ratings.csv');
    writeFileSync(ratings, `${lines.join('\n')}\n`);
    const out = await recpipeInProcess([
      'train',
      '--ratings',
      ratings,
      '--model',
      join(dir, 'model'),
      '--algo',
      'blend',
      '--param',
      'components=svd,timesvd',
      '--param',
      'folds=2',
      '--cv',
      '0',
      '--top-n',
      '0',
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /Model artifact written/);
  });
});
