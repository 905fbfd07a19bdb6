import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeArtifact } from '../../src/artifacts/index.js';
import { buildTestset, buildTrainset, createRng, evaluateRanking, lastNHoldout, svd, type RankingReport } from '../../src/core/index.js';
import { readRatingsFile } from '../../src/datasets/index.js';
import { syntheticMovieLens } from '../../src/datasets/synthetic.js';
import { loadKernels } from '../../src/kernels/index.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { recpipe } from '../support/recpipe-cli.js';
import { tempDir } from '../support/temp-engine.js';

/** `recpipe evaluate` on a real artifact and ratings file, as a child process. */
describe('recpipe evaluate', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const ratings = join(tmp.dir, 'ratings.csv');
  writeFileSync(ratings, syntheticMovieLens(60, 150, 25, 4).ratingsCsv);
  const config = svd.parseConfig({ n_factors: 8, n_epochs: 10 });

  it('holds out each user’s last ratings by time, refits, and scores the lists beside popularity and random', async () => {
    const { dataset } = await readRatingsFile(ratings);
    const kernels = loadKernels('auto');
    const full = buildTrainset(dataset).trainset;
    const model = svd.fit(full, config, { rng: createRng(5), kernels });
    const artifact = await writeArtifact(join(tmp.dir, 'model'), model, {
      hyperparameters: config,
      seed: 5,
      trainingData: { source: ratings, trainset: full },
      createdAt: '2026-12-02T00:00:00.000Z',
    });
    const json = join(tmp.dir, 'eval.json');
    const r = await recpipe([
      'evaluate',
      '--model',
      join(tmp.dir, 'model'),
      '--ratings',
      ratings,
      '--k',
      '5',
      '--holdout',
      'last:3',
      '--json',
      json,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Held out the last 3 ratings by timestamp of each user with more than 3: /);
    assert.match(r.stdout, /\n +P@5 +R@5 +NDCG@5 +MAP@5 +Coverage +Novelty\nSVD( +\d\.\d+){6}\n/);
    assert.match(r.stdout, /\npopularity( +\d\.\d+){6}\nrandom( +\d\.\d+){6}\n$/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      ranking: RankingReport;
      holdout: { heldOut: number; trainedOn: number };
      seed: number;
    };

    // The same evaluation in this process: every user's 3 latest ratings (timestamps), refit with the artifact's seed.
    const split = lastNHoldout(dataset, 3);
    const byUser = new Map<number, number[]>();
    for (let r = 0; r < dataset.size; r++)
      byUser.set(dataset.users[r], [...(byUser.get(dataset.users[r]) ?? []), dataset.timestamps?.[r] ?? -1]);
    const latest = [...byUser.values()].filter((t) => t.length > 3);
    assert.equal(split.test.size, latest.length * 3);
    for (let r = 0; r < split.test.size; r++) {
      const times = byUser.get(split.test.users[r]) ?? [];
      const t = split.test.timestamps?.[r] ?? -2;
      assert.ok(times.filter((x) => x > t).length < 3, 'a held-out rating is among its user’s 3 latest');
    }
    const built = buildTrainset(split.train);
    const refit = svd.fit(built.trainset, config, { rng: createRng(5), kernels });
    const want = evaluateRanking(refit, built.trainset, buildTestset(split.test, built), { k: 5, kernels, rng: createRng(5) });
    assert.deepEqual(report.ranking, want);
    assert.deepEqual(report.holdout, { lastN: 3, byTimestamp: true, heldOut: split.test.size, trainedOn: split.train.size });
    assert.equal(report.seed, 5);
    assert.ok(want.model.ndcg > want.random.ndcg, `the model (${want.model.ndcg}) ranks better than random (${want.random.ndcg})`);
    assert.ok(want.random.coverage > want.popularity.coverage, 'random lists cover more of the catalogue than popularity');
    assert.ok(artifact.uri);
  });

  it('refuses bad arguments by name', async () => {
    const both = await recpipeInProcess(['evaluate', '--model', 'a', '--artifact', 'b', '--ratings', ratings]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--model DIR or --artifact URI \(one of them\)/);
    const holdout = await recpipeInProcess(['evaluate', '--model', join(tmp.dir, 'model'), '--ratings', ratings, '--holdout', 'first:3']);
    assert.match(holdout.stderr, /--holdout must be last:N/);
    const missing = await recpipeInProcess(['evaluate', '--model', join(tmp.dir, 'nope'), '--ratings', ratings]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nope/);
  });
});
