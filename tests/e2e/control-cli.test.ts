import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { syntheticRatingsSql } from '../support/ratings-sql.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { recpipe } from '../support/recpipe-cli.js';
import { serveHome, type ServedHome } from '../support/served-home.js';
import { authHeaders } from '../support/auth.js';

interface JobJson {
  name: string;
  status: string;
  artifactUri: string | null;
  metrics: { data: { ratings: number }; rowsWritten: number } | null;
}

/** Each test's own budget: a few CLI runs (≈ 0.5–2 s each on a loaded 2-core machine) and a short job. */
const T = { timeout: 180_000 };

/**
 * The first training run is a child process (its log reaching a pipe as it comes); the other CLI calls
 * and the server (found through its server.json as a `recpipe server`'s) run in the test process, where
 * a child would only add its start-up. sql-cli's tests run `recpipe server` itself as a child.
 */
describe('recpipe train --input-table / jobs / deploy / endpoints / predict --endpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-'));
  const home = join(dir, 'home');
  const at = ['--home', home];
  let server: ServedHome | undefined;
  let jobName = '';
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a ratings table with recpipe sql, trains on it in-process and prints the log as it comes', T, async () => {
    const setup = await recpipeInProcess(['sql', ...at, '--create-home', '-q', syntheticRatingsSql('cli_ml', 'ratings')]);
    assert.equal(setup.code, 0, setup.stderr);
    const r = await recpipe([
      'train',
      ...at,
      '--input-table',
      'ratings',
      '--output-table',
      'recs',
      '--database',
      'cli_ml',
      '--cv',
      '3',
      '--param',
      'n_factors=4',
      '--param',
      'n_epochs=5',
      '--seed',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`no server running; using ${home} in-process`));
    jobName = /Started training job (train-\S+): CLI_ML\.PUBLIC\.RATINGS → CLI_ML\.PUBLIC\.RECS/.exec(r.stderr)?.[1] ?? '';
    assert.ok(jobName, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^Read 200 ratings of 20 users and 30 movies/);
    assert.ok(
      lines.some((l) => /^RMSE \(testset\)/.test(l)),
      'the cross-validation table',
    );
    assert.match(lines[lines.length - 1], new RegExp(`^Training job ${jobName} Completed; mean RMSE \\d\\.\\d{4}; model artifact file://`));
    const recs = await recpipeInProcess(['sql', ...at, '--format', 'csv', '-q', 'select count(*) as n from cli_ml.public.recs']);
    assert.equal(recs.stdout, 'N\n20\n');
  });

  it('refuses --ratings with --input-table, and table-mode flags that only fit file mode (in-process)', T, async () => {
    const both = await recpipeInProcess([
      'train',
      ...at,
      '--ratings',
      'r.csv',
      '--input-table',
      'cli_ml.public.ratings',
      '--output-table',
      'cli_ml.public.x',
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --ratings .* or --input-table\/--output-table/);
    const model = await recpipeInProcess([
      'train',
      ...at,
      '--input-table',
      'cli_ml.public.ratings',
      '--output-table',
      'cli_ml.public.x',
      '--model',
      'm',
    ]);
    assert.equal(model.code, 2);
    assert.match(model.stderr, /--model applies only to --ratings/);
    const noModel = await recpipeInProcess(['train', '--ratings', 'r.csv']);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /--model DIR is required with --ratings/);
    const missing = await recpipeInProcess(['train', ...at, '--input-table', 'cli_ml.public.nothing', '--output-table', 'cli_ml.public.x']);
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /NOTHING/i);
  });

  it("lists, describes and waits for jobs in-process, from the home's history", T, async () => {
    const list = await recpipeInProcess(['jobs', 'list', ...at]);
    assert.equal(list.code, 0, list.stderr);
    const [header, row] = list.stdout.split('\n');
    assert.match(header, /^NAME\s+STATUS\s+SECONDARY\s+INPUT → OUTPUT\s+MEAN RMSE\s+CREATED \(UTC\)\s+DURATION$/);
    assert.match(
      row,
      new RegExp(
        `^${jobName}\\s+Completed\\s+Completed\\s+CLI_ML\\.PUBLIC\\.RATINGS → CLI_ML\\.PUBLIC\\.RECS\\s+\\d\\.\\d{4}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+[\\d.]+ s$`,
      ),
    );
    assert.equal(header.indexOf('STATUS'), row.indexOf('Completed'), 'columns line up');

    const describeJson = await recpipeInProcess(['jobs', 'describe', jobName, ...at, '--json']);
    const job = JSON.parse(describeJson.stdout) as JobJson;
    assert.equal(job.status, 'Completed');
    assert.equal(job.metrics?.data.ratings, 200);
    const block = await recpipeInProcess(['jobs', 'describe', jobName, ...at]);
    assert.match(block.stdout, /Status transitions\n.*START \(UTC\).*\n.*Starting[^]*Completed/);
    assert.match(block.stdout, /Cross-validation\s+3 folds: RMSE \d\.\d{4} ± \d\.\d{4}/);

    const wait = await recpipeInProcess(['jobs', 'wait', jobName, ...at]);
    assert.equal(wait.code, 0, wait.stderr);
    assert.match(wait.stdout, /Completed: Training job completed/);
    const stopped = await recpipeInProcess(['jobs', 'stop', jobName, ...at]);
    assert.equal(stopped.code, 5);
    assert.match(stopped.stderr, /has already ended \(Completed\)/);
    const unknown = await recpipeInProcess(['jobs', 'logs', 'train-20200101-000000-abcd', ...at]);
    assert.equal(unknown.code, 3);
  });

  it("deploys the job's model as an endpoint (in-process: kept in the home)", T, async () => {
    const r = await recpipeInProcess(['deploy', 'cli-model', jobName, ...at]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Deploying file:\/\/.*\/artifacts\/train-\S+\/model to endpoint cli-model \(Creating\)\n/);
    assert.match(r.stdout, /Status\s+InService/);
    assert.match(r.stderr, /answers invocations while a server runs: recpipe server --home/);
    const list = await recpipeInProcess(['endpoints', 'list', ...at]);
    assert.match(list.stdout, /^NAME\s+STATUS.*\ncli-model\s+InService\s+svd\s+20\s+30\s/);
    const typo = await recpipeInProcess(['deploy', 'cli-model', 'train-typo', ...at]);
    assert.equal(typo.code, 3);
    // Now that the run's own stderr is captured, its first line says where it ran; the error is the only other line.
    assert.match(
      typo.stderr,
      /^no server running; [^\n]*\nrecpipe: no training job or model artifact named 'train-typo' \(nothing at .*train-typo\)[^\n]*\n$/,
    );
    assert.equal(typo.stdout, '', 'no "Deploying …" line');
  });

  it('with a server: predict --endpoint answers through it, jobs go through it too', T, async () => {
    const payload = join(dir, 'payload.csv');
    writeFileSync(payload, 'user,item\n1,2\n3,5\n999,1\n');
    const none = await recpipeInProcess(['predict', payload, '--endpoint', 'cli-model', ...at]);
    assert.equal(none.code, 5);
    assert.match(none.stderr, new RegExp(`no recpipe server is running for ${home}.*recpipe server --home ${home}`));

    server = await serveHome(home);
    const p = await recpipeInProcess(['predict', payload, '--endpoint', 'cli-model', ...at]);
    assert.equal(p.code, 0, p.stderr);
    const rows = p.stdout.trimEnd().split('\n');
    assert.equal(rows[0], 'user,item,prediction');
    assert.deepEqual(
      rows.slice(1).map((l) => l.split(',').slice(0, 2).join(',')),
      ['1,2', '3,5', '999,1'],
    );
    const direct = await fetch(`${server.url}/endpoints/cli-model/invocations`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'text/csv' },
      body: '1,2\n3,5\n999,1\n',
    });
    assert.deepEqual(
      rows.slice(1).map((l) => Number(l.split(',')[2])),
      (await direct.text()).trim().split('\n').map(Number),
    );

    const unknown = await recpipeInProcess(['predict', payload, '--endpoint', 'nope', ...at]);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /Could not find endpoint nope/);

    const train = await recpipeInProcess([
      'train',
      ...at,
      '--input-table',
      'cli_ml.public.ratings',
      '--output-table',
      'cli_ml.public.recs2',
      '--cv',
      '0',
      '--param',
      'n_epochs=3',
    ]);
    assert.equal(train.code, 0, train.stderr);
    assert.match(train.stderr, new RegExp(`connected to recpipe server at ${server.url}`));
    assert.match(train.stdout, /^Read 200 ratings/);
    const list = await recpipeInProcess(['jobs', 'list', ...at, '--json']);
    const jobs = JSON.parse(list.stdout) as JobJson[];
    assert.equal(jobs.length, 2);
    assert.equal(jobs[1].name, jobName, 'newest first');

    const deleted = await recpipeInProcess(['endpoints', 'delete', 'cli-model', ...at]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await recpipeInProcess(['predict', payload, '--endpoint', 'cli-model', ...at])).code, 3);
  });
});
