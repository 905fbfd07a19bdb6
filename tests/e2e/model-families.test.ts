import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readArtifact } from '../../src/artifacts/index.js';
import { Predictor } from '../../src/core/index.js';
import { syntheticMovieLens } from '../../src/datasets/synthetic.js';
import { Engine, type Session } from '../../src/engine/index.js';
import { createModelServer } from '../../src/serving/index.js';
import { recpipeInProcess as recpipe } from '../support/cli-in-process.js';
import { ratingsFromText } from '../support/ratings-text.js';
import { sql, tempDir } from '../support/temp-engine.js';

/** Non-factor families through every serving face: SQL training, output table, deploy, invoke_model, recommend; the CLI; the model server. */
const FAMILIES: readonly { algorithm: string; hyperparameters: Record<string, unknown>; family: string }[] = [
  { algorithm: 'knnbaseline', hyperparameters: { k: 20, sim_options: { name: 'pearson_baseline', user_based: false } }, family: 'knn' },
  { algorithm: 'KNNWithMeans', hyperparameters: { k: 10 }, family: 'knn' },
  { algorithm: 'ease', hyperparameters: { lambda: 50 }, family: 'ease' },
  { algorithm: 'blend', hyperparameters: { components: ['baseline', 'knnbasic'], folds: 2 }, family: 'blend' },
  { algorithm: 'wrmf', hyperparameters: { n_factors: 8, n_epochs: 5 }, family: 'implicit' },
  { algorithm: 'BPR', hyperparameters: { n_factors: 8, n_epochs: 5 }, family: 'implicit' },
];

describe('model families in SQL: train, output table, deploy, invoke_model, recommend', () => {
  const files = tempDir();
  const sample = syntheticMovieLens(50, 120, 20, 3);
  let engine: Engine;
  let s: Session;

  before(async () => {
    writeFileSync(join(files.dir, 'ratings.csv'), sample.ratingsCsv);
    engine = await Engine.open({ home: join(files.dir, 'home') });
    s = engine.createSession();
    await engine.execute(
      s,
      `create database ML; use schema ml.public;
       create or replace table ratings (userid int, movieid int, rating float, timestamp timestamp_ntz);
       copy into ratings from 'file://${files.dir}/ratings.csv' file_format=(type=csv skip_header=1);
       create or replace table train_data as (select USERID, MOVIEID, RATING from ratings);`,
    );
  });
  after(async () => {
    await engine.close();
    files.remove();
  });

  const { dataset } = ratingsFromText(sample.ratingsCsv, { source: 'sample' });
  const rated = new Map<string, Set<string>>();
  for (let x = 0; x < dataset.size; x++) {
    const u = dataset.userIds.raw(dataset.users[x]);
    rated.set(u, (rated.get(u) ?? new Set()).add(dataset.itemIds.raw(dataset.items[x])));
  }

  for (const [n, f] of FAMILIES.entries()) {
    it(`${f.algorithm}: lists exclude rated items, the artifact names its family, invoke_model and recommend answer as the artifact`, async () => {
      const table = `recs_${n}`;
      await engine.execute(s, `create or replace table ${table} (USERID float, RECOMMENDATIONS variant)`);
      const spec = JSON.stringify({ folds: 0, algorithm: f.algorithm, hyperparameters: f.hyperparameters });
      const r = await sql(engine, s, `select train_and_get_recommendations('train_data', '${table}', parse_json('${spec}')) as job`);
      const job = (r.rows[0][0] as Record<string, string>).TrainingJobName;
      const done = await engine.jobs.wait(job, { timeoutMs: 120_000 });
      assert.equal(done.status, 'Completed', done.failureReason ?? '');
      const out = await sql(engine, s, `select USERID, RECOMMENDATIONS from ${table}`);
      assert.equal(out.rows.length, rated.size);
      for (const [user, recs] of out.rows as [number, number[]][]) {
        assert.equal(new Set(recs).size, 10);
        for (const item of recs) assert.ok(!rated.get(String(user))?.has(String(item)), `user ${user} already rated ${item}`);
      }
      const { model, manifest } = await readArtifact(engine.jobs.get(job).artifactUri ?? '');
      assert.equal(manifest.family, f.family);
      assert.equal(model.extension?.kind, f.family);

      const endpoint = `fam-${n}`;
      await sql(engine, s, `select deploy_model('${endpoint}', '${job}')`);
      await engine.endpoints.waitFor(endpoint, 'InService', 20_000);
      const p = new Predictor(model);
      const pairs: [string, string][] = [
        ['1', '5'],
        ['7', '30'],
        ['999999', '5'],
        ['3', '999999'],
      ];
      const got = await sql(
        engine,
        s,
        `select u, i, invoke_model('${endpoint}', u, i) from (values ${pairs.map(([u, i]) => `('${u}', '${i}')`).join(', ')}) t(u, i)`,
      );
      for (const [u, i, v] of got.rows as [string, string, number][]) assert.equal(v, p.predict(u, i), `${u}, ${i}`);
      const rec = await sql(engine, s, `select recommend('${endpoint}', '1', 5) r`);
      const first = await sql(engine, s, `select RECOMMENDATIONS from ${table} where USERID = 1`);
      assert.deepEqual(rec.rows[0][0], (first.rows[0][0] as number[]).slice(0, 5));
    });
  }
});

describe('ALS and timeSVD in SQL', () => {
  const files = tempDir();
  let engine: Engine;
  let s: Session;
  before(async () => {
    writeFileSync(join(files.dir, 'ratings.csv'), syntheticMovieLens(30, 80, 20, 4).ratingsCsv);
    engine = await Engine.open({ home: join(files.dir, 'home') });
    s = engine.createSession();
    await engine.execute(
      s,
      `create database ML; use schema ml.public;
       create or replace table ratings (userid int, movieid int, rating float, timestamp int);
       copy into ratings from 'file://${files.dir}/ratings.csv' file_format=(type=csv skip_header=1);
       create or replace table recs (USERID float, RECOMMENDATIONS variant);`,
    );
  });
  after(async () => {
    await engine.close();
    files.remove();
  });
  const train = async (spec: Record<string, unknown>, input = 'ratings') => {
    const r = await sql(
      engine,
      s,
      `select train_and_get_recommendations('${input}', 'recs', parse_json('${JSON.stringify(spec)}')) as job`,
    );
    return engine.jobs.wait((r.rows[0][0] as Record<string, string>).TrainingJobName, { timeoutMs: 120_000 });
  };

  it('als trains a factor model with its named parameters', async () => {
    const done = await train({ folds: 0, algorithm: 'als', hyperparameters: { n_factors: 5, reg: 0.1 } });
    assert.equal(done.status, 'Completed', done.failureReason ?? '');
    const { model, manifest } = await readArtifact(done.artifactUri ?? '');
    assert.equal(manifest.family, 'factor');
    assert.equal(model.nFactors, 5);
  });

  it("timesvd trains on the table's TIMESTAMP column, and fails its job naming the timestamps it needs without one", async () => {
    const timed = await train({ folds: 0, algorithm: 'timesvd', hyperparameters: { n_epochs: 2 } });
    assert.equal(timed.status, 'Completed', timed.failureReason ?? '');
    await engine.execute(s, 'create or replace table untimed as select userid, movieid, rating from ratings');
    const done = await train({ folds: 0, algorithm: 'timesvd', hyperparameters: { n_epochs: 2 } }, 'untimed');
    assert.equal(done.status, 'Failed');
    assert.match(done.failureReason ?? '', /timesvd needs the ratings' timestamps/);
  });
});

/** The commands run in-process: train-cli and evaluate-cli run them as real child processes. */
describe('model families from the CLI: train, evaluate, serve-model', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const ratings = join(tmp.dir, 'ratings.csv');
  writeFileSync(ratings, syntheticMovieLens(40, 100, 20, 6).ratingsCsv);

  it('evaluates EASE by ranking alone: RMSE does not apply to relevance scores', async () => {
    const model = join(tmp.dir, 'ease');
    const train = await recpipe(['train', '--ratings', ratings, '--algo', 'ease', '--param', 'lambda=20', '--model', model, '--cv', '0']);
    assert.equal(train.code, 0, train.stderr);
    const evaluated = await recpipe(['evaluate', '--model', model, '--ratings', ratings, '--k', '5', '--holdout', 'last:3']);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stdout, /RMSE and MAE do not apply: EASE scores relevance, not ratings\n/);
    assert.match(evaluated.stdout, /\nEASE( +\d\.\d+){6}\npopularity/);
  });

  it('trains timeSVD on a file with timestamps (serving "now") and evaluates WRMF by ranking alone', async () => {
    const model = join(tmp.dir, 'timesvd');
    const train = await recpipe([
      'train',
      '--ratings',
      ratings,
      '--algo',
      'timesvd',
      '--param',
      'n_factors=8',
      '--model',
      model,
      '--cv',
      '2',
    ]);
    assert.equal(train.code, 0, train.stderr);
    assert.match(train.stdout, /timeSVD/);
    const { model: loaded, manifest } = await readArtifact(model);
    assert.equal(manifest.family, 'time');
    assert.equal(loaded.extension?.kind, 'time');
    const wrmf = join(tmp.dir, 'wrmf');
    const trained = await recpipe([
      'train',
      '--ratings',
      ratings,
      '--algo',
      'wrmf',
      '--param',
      'n_factors=8',
      '--model',
      wrmf,
      '--cv',
      '0',
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    const evaluated = await recpipe(['evaluate', '--model', wrmf, '--ratings', ratings, '--k', '5', '--holdout', 'last:3']);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stdout, /RMSE and MAE do not apply: WRMF scores relevance, not ratings\n/);
  });

  it('trains KNNBaseline with Surprise-named params, evaluates it beside the baselines, and serves it over HTTP', async () => {
    const model = join(tmp.dir, 'knn');
    const train = await recpipe([
      'train',
      '--ratings',
      ratings,
      '--algo',
      'KNNBaseline',
      '--param',
      'k=15',
      '--param',
      'name=pearson_baseline',
      '--param',
      'user_based=false',
      '--model',
      model,
      '--cv',
      '3',
      '--top-n',
      '5',
    ]);
    assert.equal(train.code, 0, train.stderr);
    assert.match(train.stdout, /KNNBaseline/);
    const evaluated = await recpipe(['evaluate', '--model', model, '--ratings', ratings, '--k', '5', '--holdout', 'last:3']);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stdout, /\npopularity( +\d\.\d+){6}\nrandom( +\d\.\d+){6}\n/);

    const { model: loaded } = await readArtifact(model);
    const app = createModelServer(loaded);
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const pairs: [string, string][] = [
        [loaded.userIds[0], loaded.itemIds[3]],
        [loaded.userIds[5], loaded.itemIds[0]],
        ['nobody', loaded.itemIds[1]],
      ];
      const res = await fetch(`${base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: pairs.map((x) => x.join(',')).join('\n'),
      });
      assert.equal(res.status, 200);
      const p = new Predictor(loaded);
      assert.deepEqual(
        (await res.text()).trimEnd().split('\n').map(Number),
        pairs.map(([u, i]) => p.predict(u, i)),
      );
    } finally {
      await app.close();
    }
  });
});
