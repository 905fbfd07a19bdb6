import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { INTERRUPTED_REASON, type JobManager, type TrainingJob } from '../../src/jobs/index.js';
import { closeKeepingHome, createSyntheticRatings, openFixture, rowsOf, table, until, type JobsFixture } from './jobs-fixture.js';

/** Many epochs on a small table: a job that trains until it is stopped. */
const LONG = { n_epochs: 100_000, n_factors: 10 };
const QUICK = { n_epochs: 3, n_factors: 5 };
const OLD_ROWS = [[1, [101, 102]]];

describe('training jobs: checks, stop, max run time, failures, queue, restart', () => {
  let fx: JobsFixture;
  let jobs: JobManager;

  before(async () => {
    fx = await openFixture();
    await createSyntheticRatings(fx.warehouse, 'RATINGS');
    await fx.warehouse.run(`CREATE TABLE MOVIELENS.PUBLIC.OUT (USERID BIGINT, RECOMMENDATIONS JSON)`);
    await fx.warehouse.run(`INSERT INTO MOVIELENS.PUBLIC.OUT VALUES (1, '[101,102]')`);
    jobs = await fx.manager();
  });
  after(() => fx?.cleanup());

  const start = (overrides: Record<string, unknown> = {}) =>
    jobs.start({ input: table('RATINGS'), output: table('OUT'), folds: 0, hyperparameters: QUICK, ...overrides });

  it('refuses bad tables and bad settings before creating any job, naming what is wrong', async () => {
    await fx.warehouse.run('CREATE TABLE MOVIELENS.PUBLIC.NO_RATING AS SELECT USERID, MOVIEID FROM MOVIELENS.PUBLIC.RATINGS');
    await fx.warehouse.run('CREATE TABLE MOVIELENS.PUBLIC.EMPTY AS SELECT * FROM MOVIELENS.PUBLIC.RATINGS LIMIT 0');
    await fx.warehouse.run('CREATE TABLE MOVIELENS.PUBLIC.BAD_RECS (USERID BIGINT, RECOMMENDATIONS INTEGER)');
    await fx.warehouse.run('CREATE TABLE MOVIELENS.PUBLIC.EXTRA (USERID BIGINT, RECOMMENDATIONS JSON, NOTE VARCHAR)');
    await fx.warehouse.run('CREATE TABLE MOVIELENS.PUBLIC.DATED (USERID DATE, RECOMMENDATIONS JSON)');
    await fx.warehouse.run('CREATE VIEW MOVIELENS.PUBLIC.A_VIEW AS SELECT * FROM MOVIELENS.PUBLIC.OUT');
    const refusals: [Record<string, unknown>, string, RegExp][] = [
      [{ input: table('NOPE') }, 'NOT_FOUND', /input table MOVIELENS\.PUBLIC\.NOPE does not exist/],
      [
        { input: table('NO_RATING') },
        'INVALID_ARGUMENT',
        /input table MOVIELENS\.PUBLIC\.NO_RATING has no RATING column \(it has USERID, MOVIEID\)/,
      ],
      [{ input: table('EMPTY') }, 'FAILED_PRECONDITION', /input table MOVIELENS\.PUBLIC\.EMPTY is empty/],
      [
        { output: table('BAD_RECS') },
        'INVALID_ARGUMENT',
        /output table MOVIELENS\.PUBLIC\.BAD_RECS \(USERID BIGINT, RECOMMENDATIONS INTEGER\): cannot tell which column holds the recommendations/,
      ],
      [
        { output: table('EXTRA') },
        'INVALID_ARGUMENT',
        /output table MOVIELENS\.PUBLIC\.EXTRA has 3 column\(s\) \(USERID BIGINT, RECOMMENDATIONS JSON, NOTE VARCHAR\)/,
      ],
      [{ output: table('DATED') }, 'INVALID_ARGUMENT', /column USERID of output table MOVIELENS\.PUBLIC\.DATED has type DATE/],
      [{ output: table('A_VIEW') }, 'INVALID_ARGUMENT', /output MOVIELENS\.PUBLIC\.A_VIEW is a view/],
      [
        { output: { database: 'MOVIELENS', schema: 'NOSCHEMA', name: 'X' } },
        'NOT_FOUND',
        /schema of output table MOVIELENS\.NOSCHEMA\.X does not exist/,
      ],
      [{ output: table('ratings') }, 'INVALID_ARGUMENT', /input and output are the same table/],
      [{ folds: 1 }, 'INVALID_ARGUMENT', /folds must be 0 \(no cross-validation\) or at least 2/],
      [{ topN: 0 }, 'INVALID_ARGUMENT', /topN must be an integer in 1\.\.10000, got 0/],
      [{ algorithm: 'knn' }, 'INVALID_ARGUMENT', /unknown algorithm 'knn'; known: svd, svdpp, baseline/],
      [{ hyperparameters: { n_factor: 5 } }, 'INVALID_ARGUMENT', /unknown parameter 'n_factor' for algorithm svd/],
      [{ maxRuntimeSeconds: 0 }, 'INVALID_ARGUMENT', /maxRuntimeSeconds must be an integer/],
    ];
    for (const [overrides, code, message] of refusals) {
      await assert.rejects(start(overrides), { code, message }, JSON.stringify(overrides));
    }
    assert.deepEqual(jobs.list(), []);
    assert.ok(!existsSync(join(fx.home, 'jobs')) || readdirSync(join(fx.home, 'jobs')).length === 0, 'no job directory was made');
  });

  it('stops a training job: its worker ends, the output table and artifacts are untouched', async () => {
    const job = await start({ hyperparameters: LONG });
    await until(jobs, job.name, (j) => j.secondaryStatus === 'Training' && (j.progress?.fit?.done ?? 0) > 0);
    assert.equal((await jobs.wait(job.name, { timeoutMs: 50 })).status, 'InProgress', 'wait gives the current state when its time is up');
    const stopping = jobs.stop(job.name);
    assert.equal(stopping.status, 'Stopping');
    const stopped = await jobs.wait(job.name, { timeoutMs: 10_000 });
    assert.equal(stopped.status, 'Stopped');
    assert.equal(stopped.secondaryStatus, 'Stopped');
    assert.equal(stopped.stopReason, 'Stopped by request');
    assert.deepEqual(
      stopped.secondaryStatusTransitions.map((t) => t.status),
      ['Starting', 'Downloading', 'Training', 'Stopping', 'Stopped'],
    );
    assert.deepEqual(await rowsOf(fx.warehouse, 'OUT'), OLD_ROWS);
    assert.equal(stopped.artifactUri, null);
    assert.ok(!existsSync(join(fx.home, 'artifacts', job.name)));
    assert.throws(() => jobs.stop(job.name), {
      code: 'FAILED_PRECONDITION',
      message: new RegExp(`training job ${job.name} has already ended \\(Stopped\\)`),
    });
    assert.throws(() => jobs.stop('train-20000101-000000-abcd'), { code: 'NOT_FOUND' });
  });

  it('stops a job that runs past its maximum run time (MaxRuntimeExceeded)', async () => {
    const t0 = Date.now();
    const job = await start({ hyperparameters: LONG, maxRuntimeSeconds: 1 });
    const ended = await jobs.wait(job.name, { timeoutMs: 15_000 });
    const elapsed = Date.now() - t0;
    assert.equal(ended.status, 'Stopped');
    assert.equal(ended.secondaryStatus, 'MaxRuntimeExceeded');
    assert.match(ended.stopReason ?? '', /exceeded its maximum run time of 1 s/);
    assert.ok(elapsed >= 1000 && elapsed < 10_000, `stopped after ${elapsed} ms`);
    assert.deepEqual(await rowsOf(fx.warehouse, 'OUT'), OLD_ROWS);
  });

  it('fails on NULL ratings before training and on a diverged fit before writing, leaving the output table as it was', async () => {
    await fx.warehouse.run('CREATE TABLE MOVIELENS.PUBLIC.WITH_NULLS AS SELECT * FROM MOVIELENS.PUBLIC.RATINGS');
    await fx.warehouse.run('UPDATE MOVIELENS.PUBLIC.WITH_NULLS SET RATING = NULL WHERE USERID = 3 AND MOVIEID IN (3, 6)');
    const nulls = await jobs.wait((await start({ input: table('WITH_NULLS') })).name);
    assert.equal(nulls.status, 'Failed');
    assert.match(
      nulls.failureReason ?? '',
      /input table MOVIELENS\.PUBLIC\.WITH_NULLS has 2 rows with a NULL \(or non-finite\) USERID, MOVIEID or RATING/,
    );
    assert.equal(nulls.secondaryStatusTransitions.at(-2)?.status, 'Downloading');

    const diverged = await jobs.wait((await start({ hyperparameters: { n_epochs: 50, lr_all: 50 } })).name);
    assert.equal(diverged.status, 'Failed');
    assert.match(diverged.failureReason ?? '', /the fit diverged/);
    assert.equal(diverged.secondaryStatusTransitions.at(-2)?.status, 'Uploading');
    assert.deepEqual(await rowsOf(fx.warehouse, 'OUT'), OLD_ROWS);
    assert.match(await jobs.logs(diverged.name), /Failed: .*the fit diverged/);
  });

  it('types the output like the input: text ids stay text, and text users cannot go into a numeric USERID', async () => {
    await createSyntheticRatings(fx.warehouse, 'TEXT_IDS', 30, 30, 'VARCHAR');
    const job = await jobs.wait((await start({ input: table('TEXT_IDS'), output: table('TEXT_OUT'), topN: 3 })).name);
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    const cols = await fx.warehouse.tableColumns(table('TEXT_OUT'));
    assert.deepEqual(
      cols?.map((c) => c.type),
      ['VARCHAR', 'JSON'],
    );
    const [first] = await rowsOf(fx.warehouse, 'TEXT_OUT');
    assert.equal(typeof first[0], 'string');
    assert.ok((first[1] as unknown[]).length === 3 && (first[1] as unknown[]).every((m) => typeof m === 'string'));

    await fx.warehouse.run(
      `CREATE TABLE MOVIELENS.PUBLIC.WORDS AS SELECT 'user-' || USERID AS USERID, MOVIEID, RATING FROM MOVIELENS.PUBLIC.TEXT_IDS`,
    );
    const words = await jobs.wait((await start({ input: table('WORDS') })).name);
    assert.equal(words.status, 'Failed');
    assert.match(
      words.failureReason ?? '',
      /output table MOVIELENS\.PUBLIC\.OUT takes BIGINT user ids, but user id "user-\d+" of MOVIELENS\.PUBLIC\.WORDS is not an integer/,
    );
    assert.deepEqual(await rowsOf(fx.warehouse, 'OUT'), OLD_ROWS);
  });

  /** A home of its own, for tests that need a manager with other settings (one manager per home). */
  async function separateHome(t: { after(fn: () => Promise<void>): void }): Promise<JobsFixture> {
    const other = await openFixture();
    t.after(() => other.cleanup());
    await createSyntheticRatings(other.warehouse, 'RATINGS');
    return other;
  }

  it('keeps integer ids beyond 2^53 exact: movie ids in the JSON, and refuses such user ids for a BIGINT USERID', async () => {
    const big = 2n ** 53n;
    await fx.warehouse.run(
      `CREATE TABLE MOVIELENS.PUBLIC.BIG_IDS AS SELECT USERID, MOVIEID + ${big} AS MOVIEID, RATING FROM MOVIELENS.PUBLIC.RATINGS WHERE USERID <= 30 AND MOVIEID <= 30`,
    );
    const job = await jobs.wait((await start({ input: table('BIG_IDS'), output: table('BIG_OUT'), topN: 3 })).name);
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    const r = await fx.warehouse.run(`SELECT CAST(RECOMMENDATIONS AS VARCHAR) FROM MOVIELENS.PUBLIC.BIG_OUT WHERE USERID = 1`);
    const ids = (r.rows[0][0] as string).slice(1, -1).split(',').map(BigInt);
    assert.equal(ids.length, 3);
    assert.ok(
      ids.every((id) => id > big && id <= big + 30n),
      `exact ids ${ids.join(', ')}`,
    );
    const rated = await fx.warehouse.run(
      `SELECT count(*) FROM MOVIELENS.PUBLIC.BIG_IDS WHERE USERID = 1 AND MOVIEID IN (${ids.join(', ')})`,
    );
    assert.equal(rated.rows[0][0], 0, 'the ids name unrated movies, digit for digit');

    await fx.warehouse.run(
      `CREATE TABLE MOVIELENS.PUBLIC.BIG_USERS AS SELECT USERID + ${big} AS USERID, MOVIEID, RATING FROM MOVIELENS.PUBLIC.RATINGS`,
    );
    const refused = await jobs.wait((await start({ input: table('BIG_USERS') })).name);
    assert.equal(refused.status, 'Failed');
    assert.match(refused.failureReason ?? '', /user id "9007199254740993" of MOVIELENS\.PUBLIC\.BIG_USERS is beyond 2\^53/);
    assert.equal(refused.secondaryStatusTransitions.at(-2)?.status, 'Downloading');
  });

  it('queues jobs beyond the concurrency limit in Starting, and refuses more than the queue holds', async (t) => {
    const queued = await (await separateHome(t)).manager({ concurrency: 1, maxQueued: 1 });
    const first = await queued.start({ input: table('RATINGS'), output: table('Q1'), folds: 0, hyperparameters: LONG });
    const second = await queued.start({ input: table('RATINGS'), output: table('Q2'), folds: 0, hyperparameters: QUICK });
    await until(queued, first.name, (j) => j.secondaryStatus === 'Training');
    assert.equal(queued.get(second.name).secondaryStatus, 'Starting');
    await assert.rejects(queued.start({ input: table('RATINGS'), output: table('Q3'), folds: 0 }), { code: 'RESOURCE_EXHAUSTED' });
    queued.stop(first.name);
    const done = await queued.wait(second.name, { timeoutMs: 30_000 });
    assert.equal(done.status, 'Completed', done.failureReason ?? '');
    assert.ok((done.metrics?.phases.queuedSeconds ?? 0) > 0);
    assert.deepEqual(
      queued.list().map((j) => j.name),
      [second.name, first.name],
      'newest first',
    );
  });

  it('names jobs by its clock, writes artifacts under the configured root, and refuses an unknown store scheme', async (t) => {
    const other = await separateHome(t);
    const root = join(other.home, 'elsewhere');
    const pinned = new Date(Date.UTC(2024, 0, 31, 15, 45, 2));
    const m = await other.manager({ artifactRoot: root, clock: () => pinned });
    const job = await m.wait((await m.start({ input: table('RATINGS'), output: table('R'), folds: 0, hyperparameters: QUICK })).name);
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    assert.match(job.name, /^train-20240131-154502-[0-9a-f]{4}$/);
    assert.equal(job.creationTime, '2024-01-31T15:45:02.000Z');
    assert.equal(job.artifactUri, pathToFileURL(join(root, job.name, 'model')).href);
    assert.ok(existsSync(join(root, job.name, 'model', 'manifest.json')));
    await assert.rejects(other.manager({ artifactRoot: 's4://bucket/models' }), {
      code: 'INVALID_ARGUMENT',
      message: /no artifact store for scheme 's4:\/\/'.*known schemes: file:\/\//,
    });
  });

  it('stops a queued job at once, and stops running jobs when closed', async (t) => {
    const m = await (await separateHome(t)).manager({ concurrency: 1 });
    const running = await m.start({ input: table('RATINGS'), output: table('C1'), folds: 0, hyperparameters: LONG });
    const waiting = await m.start({ input: table('RATINGS'), output: table('C2'), folds: 0, hyperparameters: LONG });
    const stopped = m.stop(waiting.name);
    assert.equal(stopped.status, 'Stopped');
    assert.deepEqual(
      stopped.secondaryStatusTransitions.map((t) => t.status),
      ['Starting', 'Stopping', 'Stopped'],
    );
    await until(m, running.name, (j) => j.secondaryStatus === 'Training');
    await m.close();
    const closed = m.get(running.name);
    assert.equal(closed.status, 'Stopped');
    assert.equal(closed.stopReason, 'the recpipe service shut down');
    await assert.rejects(m.start({ input: table('RATINGS'), output: table('C3') }), { code: 'FAILED_PRECONDITION' });
  });

  it('reports status, progress and log lines as events', async () => {
    const statuses: string[] = [];
    const lines: string[] = [];
    let progressed = 0;
    const onStatus = (j: TrainingJob) => statuses.push(j.secondaryStatus);
    const onLog = (_: string, line: string) => lines.push(line);
    const onProgress = () => progressed++;
    jobs.on('status', onStatus).on('log', onLog).on('progress', onProgress);
    const job = await jobs.wait((await start({ folds: 3 })).name);
    jobs.off('status', onStatus).off('log', onLog).off('progress', onProgress);
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    assert.deepEqual(statuses, ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    assert.ok(progressed >= 3 + QUICK.n_epochs, `${progressed} progress events`);
    assert.equal(lines.join('\n') + '\n', await jobs.logs(job.name));
  });

  it("runs a small job's folds and top-N in its own thread, with the folds, figures and lists of a compute pool", async (t) => {
    const other = await separateHome(t);
    const pooled = await other.manager({ poolMinWork: 0 });
    const spec = { input: table('RATINGS'), output: table('SAME'), folds: 3, hyperparameters: QUICK };
    for (const w of [fx.warehouse, other.warehouse])
      await w.run('CREATE TABLE MOVIELENS.PUBLIC.SAME (USERID BIGINT, RECOMMENDATIONS JSON)');
    const here = (await jobs.wait((await jobs.start(spec)).name)) as TrainingJob;
    const there = (await pooled.wait((await pooled.start(spec)).name)) as TrainingJob;
    assert.equal(here.status, 'Completed', here.failureReason ?? '');
    assert.equal(there.status, 'Completed', there.failureReason ?? '');
    assert.match(await jobs.logs(here.name), /on 3 folds in the job's thread/);
    assert.match(await pooled.logs(there.name), /on 3 folds in \d worker threads?/);
    const figures = (j: TrainingJob) => j.metrics?.cv?.folds.map((f) => [f.rmse, f.mae, f.trainRmse, f.testRmse]);
    assert.equal(figures(here)?.length, 3);
    assert.deepEqual(figures(here), figures(there));
    assert.deepEqual(here.metrics?.cv?.ranking, there.metrics?.cv?.ranking);
    assert.deepEqual(await rowsOf(fx.warehouse, 'SAME'), await rowsOf(other.warehouse, 'SAME'));
  });

  it('marks a job that was running when its process died as Failed on reopening', async () => {
    const done = (await jobs.wait((await start()).name)) as TrainingJob;
    await closeKeepingHome(fx, jobs);
    const file = join(fx.home, 'jobs', done.name, 'job.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    // What a process killed mid-training leaves behind.
    const running = {
      ...stored,
      status: 'InProgress',
      secondaryStatus: 'Training',
      secondaryStatusTransitions: stored.secondaryStatusTransitions.slice(0, 3),
      metrics: null,
      trainingEndTime: null,
    };
    running.secondaryStatusTransitions[2] = { ...running.secondaryStatusTransitions[2], endTime: undefined };
    writeFileSync(file, JSON.stringify(running));
    fx = await openFixture(fx.home);
    jobs = await fx.manager();
    const failed = jobs.get(done.name);
    assert.equal(failed.status, 'Failed');
    assert.equal(failed.failureReason, INTERRUPTED_REASON);
    assert.deepEqual(
      failed.secondaryStatusTransitions.map((t) => t.status),
      ['Starting', 'Downloading', 'Training', 'Failed'],
    );
    assert.ok(failed.secondaryStatusTransitions.every((t) => t.endTime !== undefined));
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).status, 'Failed', 'the recovery is persisted');
    assert.match(await jobs.logs(done.name), /Failed: the recpipe process exited while the job was running/);
  });
});
