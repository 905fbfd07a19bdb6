import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readArtifact } from '../../src/artifacts/index.js';
import { Predictor } from '../../src/core/index.js';
import { syntheticMovieLens } from '../../src/datasets/synthetic.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { recpipe } from '../support/recpipe-cli.js';
import { mlSmall, mlSmallFolds, sharedDataSkip } from '../support/shared-data.js';
import { tempDir } from '../support/temp-engine.js';
import { ratingsFromText } from '../support/ratings-text.js';

/** `recpipe train` in file mode, the guide's train_local.sh, as a real child process. */
describe('recpipe train --ratings (child process)', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const sample = syntheticMovieLens(50, 200, 20, 9);
  const ratings = join(tmp.dir, 'ratings.csv');
  writeFileSync(ratings, sample.ratingsCsv);
  const quick = ['--cv', '3', '--param', 'n_factors=8', '--param', 'n_epochs=5', '--seed', '3'];

  it('prints the CV table and writes the artifact, the top-N and every figure', { timeout: 180_000 }, async () => {
    const out = (f: string) => join(tmp.dir, 'a', f);
    const r = await recpipe([
      'train',
      '--ratings',
      ratings,
      '--model',
      out('model'),
      '--recommendations',
      out('recs.csv'),
      '--json',
      out('run.json'),
      ...quick,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Evaluating RMSE, MAE of algorithm SVD on 3 split\(s\)\.\n\n {18}Fold 1 {2}Fold 2 {2}Fold 3 {2}Mean {4}Std/);
    assert.match(r.stdout, /Training RMSE by epoch: \d\.\d{4} [▁▂▃▄▅▆▇█]{5} \d\.\d{4}/);
    assert.match(
      r.stdout,
      /\nRanking: top-10 lists of [\d.]+ users .*\n.*NDCG@10.*\nSVD( +\d\.\d+){6}\npopularity( +\d\.\d+){6}\nrandom( +\d\.\d+){6} \(mean over the folds' test parts\)\n/,
    );
    assert.match(r.stdout, /Training complete\.\n$/);
    const run = JSON.parse(readFileSync(out('run.json'), 'utf8'));
    assert.equal(run.cv.folds.length, 3);
    assert.ok(run.cv.folds.every((f: { rmse: number; fitTime: number }) => f.rmse > 0 && f.fitTime >= 0));
    assert.equal(run.fullFit.trainRmse.length, 5);
    assert.equal(run.topN.users, 50);
    assert.ok(run.topN.scored > 0 && run.topN.scored <= 1, `top-N scored ${run.topN.scored} of the estimates`);

    const { dataset } = ratingsFromText(sample.ratingsCsv, { source: 'sample' });
    const rated = new Set<string>();
    for (let x = 0; x < dataset.size; x++) rated.add(`${dataset.userIds.raw(dataset.users[x])}/${dataset.itemIds.raw(dataset.items[x])}`);
    const lines = readFileSync(out('recs.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'USERID,RECOMMENDATIONS');
    assert.equal(lines.length, 51);
    const { model } = await readArtifact(out('model'));
    const p = new Predictor(model);
    for (const line of lines.slice(1)) {
      const [, user, json] = /^(\d+),"(\[.*\])"$/.exec(line)!;
      const items = JSON.parse(json.replace(/""/g, '"')) as number[];
      assert.equal(new Set(items).size, 10);
      assert.ok(
        items.every((i) => !rated.has(`${user}/${i}`)),
        `user ${user} got an item they rated`,
      );
      const scores = items.map((i) => p.predict(user, i));
      assert.ok(
        scores.every((s, k) => k === 0 || s <= scores[k - 1] + 1e-6),
        'best first',
      );
    }
  });

  // In-process: what is compared is written to files, and the first test already ran the child.
  /** `train` in-process to `<name>` (model) and `<name>.json` (lists), with `quick` and any extra flags. */
  const trainTo = (name: string, ...extra: string[]) =>
    recpipeInProcess([
      'train',
      '--ratings',
      ratings,
      '--model',
      join(tmp.dir, name),
      '--recommendations',
      join(tmp.dir, `${name}.json`),
      ...extra,
      ...quick,
    ]);

  it('gives the same model and lists for the same seed (in-process)', { timeout: 180_000 }, async () => {
    const run = async (name: string) => {
      const r = await trainTo(name);
      assert.equal(r.code, 0, r.stderr);
      return readFileSync(join(tmp.dir, `${name}.json`), 'utf8');
    };
    assert.equal(await run('s1'), await run('s2'));
  });

  it('gives the same folds, fit and lists with the folds on workers during the full fit as one after another (in-process)', {
    timeout: 180_000,
  }, async () => {
    const run = async (name: string, workers: string) => {
      const r = await trainTo(name, '--workers', workers, '--json', join(tmp.dir, `${name}-run.json`));
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(readFileSync(join(tmp.dir, `${name}-run.json`), 'utf8'));
      const folds = report.cv.folds.map((f: { rmse: number; mae: number }) => [f.rmse, f.mae]);
      return { folds, fit: report.fullFit.trainRmse, lists: readFileSync(join(tmp.dir, `${name}.json`), 'utf8'), phases: report.phases };
    };
    const here = await run('w1', '1');
    const overlapped = await run('w2', '2');
    assert.deepEqual(overlapped.folds, here.folds);
    assert.deepEqual(overlapped.fit, here.fit);
    assert.equal(overlapped.lists, here.lists);
    // With workers the folds run while this thread fits: their phase comes last, after the top-N.
    const order = (p: { name: string }[]) => p.map((x) => x.name).filter((n) => ['cv', 'fit', 'top-n'].includes(n));
    assert.deepEqual(order(here.phases), ['cv', 'fit', 'top-n']);
    assert.deepEqual(order(overlapped.phases), ['fit', 'top-n', 'cv']);
  });

  it('fits by DSGD on the workers with parallel=dsgd: reported, the same twice, an unknown mode named (in-process)', {
    timeout: 180_000,
  }, async () => {
    const run = (name: string, mode: string) =>
      trainTo(name, '--json', join(tmp.dir, `${name}-run.json`), '--workers', '2', '--param', `parallel=${mode}`);
    const [a, b] = [await run('d1', 'dsgd'), await run('d2', 'dsgd')];
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const workers = Math.min(2, availableParallelism());
    assert.match(a.stdout, new RegExp(`Full fit on [\\d,]+ ratings: [\\d.]+ s \\(\\w+ kernels, DSGD on ${workers} workers\\)`));
    const report = JSON.parse(readFileSync(join(tmp.dir, 'd1-run.json'), 'utf8'));
    assert.equal(report.fullFit.parallel, 'dsgd');
    assert.equal(report.fullFit.workers, workers);
    assert.equal(report.config.parallel, 'dsgd');
    assert.equal(readFileSync(join(tmp.dir, 'd1.json'), 'utf8'), readFileSync(join(tmp.dir, 'd2.json'), 'utf8'));
    const bad = await run('never-d', 'hogwild');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /parameter parallel of svd must be one of none, dsgd, got "hogwild"/);
  });

  it('names a bad file with --workers 2, whose pool is started before the file is read, and ends', { timeout: 120_000 }, async () => {
    const bad = join(tmp.dir, 'bad-for-workers.csv');
    writeFileSync(bad, 'user,item,rating\n1,2,3\n1,3,lots\n');
    const r = await recpipe(['train', '--ratings', bad, '--model', join(tmp.dir, 'never-w'), '--workers', '2'], { timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /line 3, column 3 \(rating\): "lots" is not a number/);
  });

  it('names bad input and refuses to overwrite an artifact, with distinct exit codes (in-process)', { timeout: 180_000 }, async () => {
    const bad = join(tmp.dir, 'bad.csv');
    writeFileSync(bad, 'user,item,rating\n1,2,3\n1,3,lots\n');
    const r = await recpipeInProcess(['train', '--ratings', bad, '--model', join(tmp.dir, 'never')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.csv: 1 bad row: line 3, column 3 \(rating\): "lots" is not a number/);
    const unknown = await recpipeInProcess(['train', '--ratings', ratings, '--model', join(tmp.dir, 'never'), '--param', 'n_factor=3']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown parameter 'n_factor' for algorithm svd/);
    const again = await recpipeInProcess([
      'train',
      '--ratings',
      ratings,
      '--model',
      join(tmp.dir, 's1'),
      '--cv',
      '0',
      '--param',
      'n_epochs=1',
    ]);
    assert.equal(again.code, 4, again.stderr);
  });

  it('writes nothing for a diverged (NaN) model: no artifact, no recommendations file (in-process)', { timeout: 180_000 }, async () => {
    const recs = join(tmp.dir, 'diverged.csv');
    const model = join(tmp.dir, 'diverged');
    const r = await recpipeInProcess([
      'train',
      '--ratings',
      ratings,
      '--model',
      model,
      '--recommendations',
      recs,
      '--cv',
      '0',
      '--param',
      'lr_all=1e30',
      '--param',
      'n_epochs=3',
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the fit diverged; refusing to store it/);
    assert.ok(!existsSync(recs), 'no recommendations file');
    assert.ok(!existsSync(model), 'no artifact');
  });

  it('takes predefined folds (Surprise’s fixed ml-latest-small splits) and lands in its RMSE range (in-process)', {
    skip: sharedDataSkip,
    timeout: 300_000,
  }, async () => {
    const out = join(tmp.dir, 'ml');
    const r = await recpipeInProcess([
      'train',
      '--ratings',
      mlSmall('ratings.csv'),
      '--folds',
      mlSmallFolds(),
      '--model',
      join(out, 'model'),
      '--json',
      join(out, 'run.json'),
      '--top-n',
      '0',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    assert.equal(run.cv.folds.length, 5);
    assert.ok(run.cv.mean.rmse >= 0.872 && run.cv.mean.rmse <= 0.876, `mean RMSE ${run.cv.mean.rmse}`);
  });
});
