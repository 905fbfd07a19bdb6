import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isRecpipeError } from '../core/errors.js';
import { Engine } from '../engine/index.js';
import { startServer, type RunningServer } from '../service/index.js';
import { syntheticRatingsSql } from '../../tests/support/ratings-sql.js';
import { connectControl, HttpControlClient, InProcessControlClient, type ControlClient, type TrainingJob } from './index.js';
import { authHeaders, ownerKey } from '../../tests/support/auth.js';

const QUICK = { folds: 0, hyperparameters: { n_factors: 4, n_epochs: 5 } };
const SLOW = { folds: 0, hyperparameters: { n_factors: 100, n_epochs: 100_000 } };

/** Follows a job, recording every log line and every secondary status reported. */
async function follow(client: ControlClient, name: string, timeoutMs?: number) {
  const lines: string[] = [];
  const statuses: string[] = [];
  const job = await client.followJob(name, { log: (l) => lines.push(l), update: (j) => statuses.push(j.secondaryStatus) }, timeoutMs);
  return { job, lines, statuses };
}

const notFound = (e: unknown) => isRecpipeError(e) && e.code === 'NOT_FOUND';

describe('control client over real HTTP (127.0.0.1, port 0)', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  let engine: Engine;
  let server: RunningServer;
  let client: ControlClient;
  before(async () => {
    engine = await Engine.open({ home });
    await engine.execute(
      engine.createSession(),
      syntheticRatingsSql('ctl_ml', 'ratings') + '; ' + syntheticRatingsSql('ctl_ml', 'big', 200, 300),
    );
    server = await startServer(engine, { home, host: '127.0.0.1', port: 0 });
    client = await connectControl({ home });
  });
  after(async () => {
    await client.close();
    await server.close();
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('is chosen for a home whose server runs, and SQL functions link to that server', async () => {
    assert.equal(client.mode, 'http');
    assert.equal(client.description, `connected to recpipe server at ${server.url}`);
    const [r] = await engine.execute(
      engine.createSession(),
      "select train_and_get_recommendations('ctl_ml.public.ratings', 'ctl_ml.public.recs_sql', parse_json('{\"folds\": 0}'))",
    );
    const started = r.rows[0][0] as { TrainingJobName: string; Describe: string };
    assert.equal(started.Describe, `${server.url}/api/v1/training-jobs/${started.TrainingJobName}`);
    const res = await fetch(started.Describe, { headers: authHeaders(home) });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as TrainingJob).name, started.TrainingJobName);
    await engine.jobs.wait(started.TrainingJobName);
  });

  it('starts a job and follows it to the end: every log line once, in order, and its statuses', async () => {
    const job = await client.startJob({ input: 'ratings', output: 'recs', database: 'ctl_ml', ...QUICK });
    const { job: ended, lines, statuses } = await follow(client, job.name);
    assert.equal(ended.status, 'Completed');
    const log = await client.jobLogs(job.name);
    assert.deepEqual(lines, log.replace(/\n$/, '').split('\n'), 'the followed lines are the log');
    assert.match(lines[0], /^Read 200 ratings/);
    assert.equal(statuses[statuses.length - 1], 'Completed');
    assert.deepEqual((await client.describeJob(job.name)).metrics, ended.metrics);
    assert.equal((await client.listJobs())[0].name, job.name, 'newest first');
  });

  it('follows with a timeout: resolves with the running job, which can then be stopped', async () => {
    const job = await client.startJob({ input: 'ctl_ml.public.big', output: 'ctl_ml.public.big_recs', ...SLOW });
    const t0 = Date.now();
    const { job: running } = await follow(client, job.name, 300);
    assert.equal(running.status, 'InProgress');
    assert.ok(Date.now() - t0 < 5_000);
    await client.stopJob(job.name);
    assert.equal((await follow(client, job.name)).job.status, 'Stopped');
  });

  it('deploys a job by name, waits until it serves, answers invocations, deletes it', async () => {
    const [job] = (await client.listJobs()).filter((j) => j.status === 'Completed');
    const d = await client.deploy('ctl-model', job.name);
    assert.equal(d.artifactUri, job.artifactUri);
    const served = await client.waitForEndpoint('ctl-model', 'InService', 10_000);
    assert.equal(served.model?.users, 20);
    assert.deepEqual(
      (await client.listEndpoints()).map((e) => e.name),
      ['ctl-model'],
    );
    const res = await fetch(`${server.url}/endpoints/ctl-model/invocations`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'text/csv' },
      body: '1,2\n',
    });
    assert.equal(Number((await res.text()).trim()), engine.endpoints.invokeOne('ctl-model', 1, 2));
    assert.equal((await client.deleteEndpoint('ctl-model')).name, 'ctl-model');
    await assert.rejects(client.describeEndpoint('ctl-model'), notFound);
  });

  it('re-raises server errors with their codes', async () => {
    await assert.rejects(client.stopJob('train-20200101-000000-abcd'), notFound);
    await assert.rejects(client.jobLogs('nope'), notFound);
    await assert.rejects(client.deploy('x', 'train-20200101-000000-abcd'), notFound);
    await assert.rejects(
      client.startJob({ input: 'ctl_ml.public.ratings', output: 'ctl_ml.public.ratings' }),
      (e) => isRecpipeError(e) && e.code === 'INVALID_ARGUMENT' && /same table/.test(e.message),
    );
  });

  it('answers a pending long poll at once when the server closes', async () => {
    const otherHome = mkdtempSync(join(tmpdir(), 'recpipe-'));
    const other = await startServer(engine, { home: otherHome, host: '127.0.0.1', port: 0 });
    const job = await client.startJob({ input: 'ctl_ml.public.big', output: 'ctl_ml.public.big_recs2', ...SLOW });
    try {
      const waiting = new HttpControlClient(other.url, ownerKey(otherHome)).waitJob(job.name, 300);
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      await other.close();
      assert.equal((await waiting).status, 'InProgress');
      // Far below the poll's 300 s, which is what a close that forgot the poll would take; the
      // margin is for a loaded machine (2.2 s seen at load average 25).
      assert.ok(Date.now() - t0 < 20_000, `closing took ${Date.now() - t0} ms`);
    } finally {
      await client.stopJob(job.name);
      await engine.jobs.wait(job.name);
      rmSync(otherHome, { recursive: true, force: true });
    }
  });
});

describe('control client in-process', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  after(() => rmSync(home, { recursive: true, force: true }));
  let name = '';

  it('is chosen when no server runs; follows a job it started from its first log line', async () => {
    const client = await connectControl({ home });
    try {
      assert.ok(client instanceof InProcessControlClient);
      assert.equal(client.description, `no server running; using ${home} in-process`);
      await client.engine.execute(client.engine.createSession(), syntheticRatingsSql('inp_ml', 'ratings'));
      const job = await client.startJob({ input: 'ratings', output: 'recs', database: 'inp_ml', ...QUICK });
      name = job.name;
      const { job: ended, lines, statuses } = await follow(client, job.name);
      assert.equal(ended.status, 'Completed');
      assert.deepEqual(lines, (await client.jobLogs(job.name)).replace(/\n$/, '').split('\n'));
      assert.equal(statuses[statuses.length - 1], 'Completed');
      assert.equal((await client.deploy('inp-model', job.name)).artifactUri, ended.artifactUri, 'a job name deploys its artifact');
      assert.equal((await client.waitForEndpoint('inp-model', 'InService', 10_000)).model?.items, 30);
    } finally {
      await client.close();
    }
  });

  it("describes and follows a finished job from the home's history in a later process", async () => {
    const client = await InProcessControlClient.open(home);
    try {
      const { job, lines, statuses } = await follow(client, name);
      assert.equal(job.status, 'Completed');
      assert.match(lines[0], /^Read 200 ratings/);
      assert.match(lines[lines.length - 1], /^Training complete/);
      assert.deepEqual(statuses, ['Completed']);
      assert.deepEqual(
        (await client.listEndpoints()).map((e) => e.name),
        ['inp-model'],
        'the endpoint was kept in the home',
      );
      await assert.rejects(client.stopJob(name), (e) => isRecpipeError(e) && e.code === 'FAILED_PRECONDITION');
    } finally {
      await client.close();
    }
  });
});
