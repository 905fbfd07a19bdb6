import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { authHeaders } from '../support/auth.js';
import { browserMissing, screenshot, screenshotAfter, signedInPage, useBrowser } from '../support/browser.js';
import { httpCall } from '../support/http-call.js';
import { serveHome, type ServedHome } from '../support/served-home.js';
import { mlSmall, repoRoot, sharedDataSkip } from '../support/shared-data.js';
import { tempDir } from '../support/temp-engine.js';

const PASSWORD = 'ops-pw-1';
const ENDPOINT = 'movielens-model-v1';
const skip = browserMissing() ?? sharedDataSkip;
const T = { timeout: 120_000 };
/** With RECPIPE_UPDATE_SCREENSHOTS=1 the pages' pictures for the README are written to docs/ too. */
const updateDocs = /^(1|true|yes)$/i.test(process.env.RECPIPE_UPDATE_SCREENSHOTS ?? '');
const train = (opts: object) =>
  `select train_and_get_recommendations('MOVIELENS.PUBLIC.RATINGS', 'MOVIELENS.PUBLIC.RECS', parse_json('${JSON.stringify({ folds: 0, ...opts })}')) as job`;

/**
 * The endpoints, tasks and explorer pages in a real browser against a recpipe server on loopback, over a small
 * model (the first 20 users of ml-latest-small, 8 factors, a few epochs) trained and deployed first.
 */
describe('console endpoints, tasks and explorer in a browser', { skip }, () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  let server: ServedHome | undefined;
  let release: (() => Promise<void>) | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const jobs: string[] = [];
  let userOneRatings = 0;

  const adminSql = async (sql: string): Promise<unknown[][]> => {
    const r = await httpCall(server!.url, 'POST', '/api/v1/statements', authHeaders(home), { sql });
    assert.equal(r.status, 200, r.text);
    return (r.json().results.at(-1) as { rows: unknown[][] }).rows;
  };

  /** Waits until the requests chart has drawn at least `n` invocations (the page polls every 2 s). */
  const charted = async (n: number) => {
    for (const deadline = Date.now() + 20_000; ; ) {
      if (Number(await page.locator('#chart-rps').getAttribute('data-total')) >= n) return;
      assert.ok(Date.now() < deadline, `the chart shows ${await page.locator('#chart-rps').getAttribute('data-total')} requests, not ${n}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const docsShot = async (name: string) => {
    if (!updateDocs) return;
    await page.locator('.page:not([hidden]) h1').first().scrollIntoViewIfNeeded();
    const file = join(repoRoot(), 'docs', `console-${name}.png`);
    mkdirSync(join(repoRoot(), 'docs'), { recursive: true });
    copyFileSync(await screenshot(page, 'console-ops-docs', name), file);
  };

  before(async () => {
    server = await serveHome(home);
    const csv = `file_format = (type = csv skip_header = 1 field_optionally_enclosed_by = '"')`;
    await adminSql(
      `use role accountadmin; create user alice password = '${PASSWORD}' default_role = sysadmin; grant role sysadmin to user alice;
       use role sysadmin; create database movielens; use schema movielens.public;
       create table movies (movieid int, title varchar, genres varchar);
       copy into movies from 'file://${mlSmall('movies.csv')}' ${csv};
       create table all_ratings (userid int, movieid int, rating float, timestamp int);
       copy into all_ratings from 'file://${mlSmall('ratings.csv')}' ${csv};
       create table ratings as select userid, movieid, rating from all_ratings where userid <= 20;
       create table recs (userid float, top_10_recommendations variant);
       create stream ratings_stream on table ratings;
       create task t_root warehouse = COMPUTE_WH schedule = '60 MINUTE' as select count(*) from ratings;
       create task t_child warehouse = COMPUTE_WH after t_root as select 1`,
    );
    userOneRatings = Number((await adminSql('select count(*) from movielens.public.ratings where userid = 1'))[0][0]);
    for (const opts of [
      { hyperparameters: { n_factors: 8, n_epochs: 8 }, deploy_to: ENDPOINT, deploy_policy: 'always' },
      { hyperparameters: { n_factors: 8, n_epochs: 4 } },
    ]) {
      const [[cell]] = await adminSql(`use role sysadmin; ${train(opts)}`);
      const started = (typeof cell === 'string' ? JSON.parse(cell) : cell) as { TrainingJobName: string };
      await adminSql(`select system$wait_for_training_job('${started.TrainingJobName}', 120)`);
      jobs.push(started.TrainingJobName);
    }
    // The first job deploys itself once it ends: wait until its endpoint serves.
    for (let i = 0; ; i++) {
      const rows = await adminSql('use role sysadmin; show endpoints');
      if (rows.some((r) => r[0] === ENDPOINT && r[1] === 'InService')) break;
      assert.ok(i < 120, `endpoint not InService: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const shared = await useBrowser();
    release = shared.release;
    page = await signedInPage(shared.browser, server.url, 'alice', PASSWORD, pageErrors);
  });

  afterEach(async (t) => {
    await screenshotAfter(page, 'console-ops', t);
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });

  after(async () => {
    await release?.();
    await server?.close();
    tmp.remove();
  });

  it('lists the endpoint and shows its status and first version', T, async () => {
    await page.goto(`${server!.url}/#/endpoints`);
    await page.click(`a[href="#/endpoints/${ENDPOINT}"]`);
    await page.waitForSelector('#endpoint-status :text("InService")');
    await page.waitForSelector('#endpoint-versions tbody tr');
    const version = await page.locator('#endpoint-versions tbody tr').first().locator('td').first().textContent();
    assert.equal(version, '1');
  });

  it('predicts ratings for user,movie lines in the playground', T, async () => {
    await page.fill('#playground-input', '1,31\n1,1029\n1,1061');
    await page.click('#playground-run');
    await page.waitForSelector('#playground-output tbody tr >> nth=2');
    const lines = await page.locator('#playground-output tbody td:first-child').allTextContents();
    const predicted = (await page.locator('#playground-output tbody td:last-child').allTextContents()).map(Number);
    assert.deepEqual(lines, ['1,31', '1,1029', '1,1061']);
    for (const p of predicted) assert.ok(p >= 0.5 && p <= 5, `a rating on the scale: ${p}`);
  });

  it('draws the requests and latency charts from the invocations', T, async () => {
    for (let i = 0; i < 4; i++) {
      await page.click('#playground-run');
      await page.waitForSelector('#playground-run:not([disabled])');
    }
    await charted(5);
    assert.equal(await page.locator('#chart-rps canvas').count(), 1);
    assert.equal(await page.locator('#chart-latency canvas').count(), 1);
    assert.match((await page.locator('#chart-latency').textContent()) ?? '', /p95 ms/);
  });

  it('updates the endpoint to another job, then rolls back to the first version', T, async () => {
    await page.selectOption('#deploy-job', jobs[1]);
    await page.click('#deploy-button');
    await page.waitForSelector('#endpoint-versions tbody tr >> nth=1');
    await page.waitForSelector('#endpoint-status :text("InService")');
    assert.match((await page.locator('#endpoint-facts').textContent()) ?? '', new RegExp(jobs[1]));
    await page.click('#endpoint-versions button[data-version="1"]');
    await page.waitForSelector('#endpoint-versions tbody tr >> nth=2');
    await page.waitForSelector('#endpoint-status :text("InService")');
    assert.match((await page.locator('#endpoint-facts').textContent()) ?? '', new RegExp(jobs[0]));
    await charted(5);
    await docsShot('endpoint');
  });

  it('draws the task graph, runs a task from its button and shows the run in the history', T, async () => {
    await page.goto(`${server!.url}/#/tasks`);
    await page.waitForSelector('#task-graph .task-node >> nth=1');
    assert.equal(await page.locator('#task-graph .task-node').count(), 2);
    const edge = page.locator('#task-graph .task-edge');
    assert.equal(await edge.count(), 1);
    assert.equal(await edge.getAttribute('data-from'), 'MOVIELENS.PUBLIC.T_ROOT');
    assert.equal(await edge.getAttribute('data-to'), 'MOVIELENS.PUBLIC.T_CHILD');
    const x = async (task: string) =>
      Number(
        /translate\(([\d.]+)/.exec(
          (await page.locator(`.task-node[data-task="MOVIELENS.PUBLIC.${task}"]`).getAttribute('transform')) ?? '',
        )?.[1],
      );
    assert.ok((await x('T_ROOT')) < (await x('T_CHILD')), 'the root is left of its child');
    assert.match((await page.locator('#stream-table').textContent()) ?? '', /RATINGS_STREAM.*MOVIELENS\.PUBLIC\.RATINGS/);

    await page.click('#task-table button[data-task="T_CHILD"][data-action="resume"]');
    await page.waitForSelector('.task-node.task-started[data-task="MOVIELENS.PUBLIC.T_CHILD"]');
    await page.click('#task-table button[data-task="T_CHILD"][data-action="suspend"]');
    await page.waitForSelector('.task-node.task-suspended[data-task="MOVIELENS.PUBLIC.T_CHILD"]');

    await page.click('#task-table button[data-task="T_ROOT"][data-action="execute"]');
    await page.waitForSelector('#tasks-message:text("is running")');
    const deadline = Date.now() + 60_000;
    while (!/T_ROOT\s*SUCCEEDED/.test((await page.locator('#task-history').textContent()) ?? '')) {
      assert.ok(Date.now() < deadline, `no SUCCEEDED run: ${await page.locator('#task-history').textContent()}`);
      await new Promise((r) => setTimeout(r, 1000));
      await page.click('#tasks-refresh');
      await page.waitForSelector('#task-history');
    }
    await docsShot('tasks');
  });

  it('explores user 1: her ratings beside her top 10, and movies similar to one', T, async () => {
    await page.goto(`${server!.url}/#/explore/${ENDPOINT}/1`);
    await page.waitForSelector('.explore-top tbody tr >> nth=9');
    assert.equal(await page.locator('.explore-rated tbody tr').count(), userOneRatings);
    assert.match((await page.locator('#explore-rated').textContent()) ?? '', /★/);
    const top = await page.locator('.explore-top tbody tr').allTextContents();
    assert.equal(top.length, 10);
    assert.match(top[0], /^1.+\(\d{4}\).*\d\.\d{3}/, 'a title, its year and a predicted rating');
    await page.locator('.explore-top button').first().click();
    await page.waitForSelector('#explore-similar tbody tr >> nth=9');
    assert.match((await page.locator('#explore-similar').textContent()) ?? '', /Similar to .*Cosine/);
    await docsShot('explorer');
  });
});
