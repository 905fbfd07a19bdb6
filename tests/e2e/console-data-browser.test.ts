import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { authHeaders } from '../support/auth.js';
import { browserMissing, screenshot, screenshotAfter, signedInPage, useBrowser } from '../support/browser.js';
import { serveHome, type ServedHome } from '../support/served-home.js';
import { mlSmall, repoRoot, sharedDataSkip } from '../support/shared-data.js';
import { tempDir } from '../support/temp-engine.js';

const PASSWORD = 'data-pw-1';
const skip = browserMissing() ?? sharedDataSkip;
const T = { timeout: 150_000 };

/**
 * The guide's Lab 1 as a user types it into a worksheet. Only the home's owner may COPY from a host
 * path, so the files come through a stage the administrator made over ml-latest-small, and the ratings
 * are loaded with the Load Data dialog.
 */
const LAB1 = `use role sysadmin;
create database MOVIELENS;
use schema movielens.public;
create table movies (movieid int, title varchar, genres varchar);
create or replace table ratings (userid int, movieid int, rating float, timestamp timestamp_ntz);
create or replace file format MOVIELENS type = csv skip_header = 1 field_optionally_enclosed_by = '"';
copy into movies from @staging.public.ml_small files = ('movies.csv') file_format = (format_name = MOVIELENS);`;

/**
 * The Data and Training jobs pages in a real browser against a recpipe server on loopback: Lab 1 loads MovieLens, the
 * Data page shows its 100,836 rows and loads a file through the Load Data dialog; a job started from SQL
 * runs to Completed on its page, draws its curve per epoch and fold, and deploys.
 */
describe('console Data and Training jobs pages in a browser', { skip }, () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  let server: ServedHome | undefined;
  let release: (() => Promise<void>) | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let jobName = '';

  const adminSql = async (sql: string) => {
    const r = await fetch(`${server!.url}/api/v1/statements`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    const text = await r.text();
    assert.equal(r.status, 200, text);
    return JSON.parse(text) as { results: { rows: unknown[][] }[] };
  };

  /** Runs SQL in the worksheet editor (Ctrl+Shift+Enter) and waits for the answer. */
  const runAll = async (sql: string) => {
    await page.goto(`${server!.url}/#/worksheets`);
    await page.focus('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(sql);
    const done = page.waitForResponse(
      (r) => r.url().endsWith('/console/api/statements') && r.request().postData()?.includes('use role sysadmin') === true,
    );
    await page.keyboard.press('Control+Shift+Enter');
    const response = await done;
    const text = await response.text();
    assert.equal(response.status(), 200, text);
    return JSON.parse(text) as { results: { rows: unknown[][] }[] };
  };

  /** With RECPIPE_UPDATE_SCREENSHOTS=1 the README's picture of a page is taken anew. */
  const readmeShot = async (file: string) => {
    if (process.env.RECPIPE_UPDATE_SCREENSHOTS !== '1') return;
    const docs = join(repoRoot(), 'docs');
    mkdirSync(docs, { recursive: true });
    copyFileSync(await screenshot(page, 'console-data', file), join(docs, file));
  };

  before(async () => {
    server = await serveHome(home);
    await adminSql(
      `use role accountadmin; create user alice password = '${PASSWORD}' default_role = sysadmin; grant role sysadmin to user alice;
       use role sysadmin; create database staging; use role accountadmin;
       create stage staging.public.ml_small url = 'file://${mlSmall('')}/'; grant read on stage staging.public.ml_small to role sysadmin`,
    );
    const shared = await useBrowser();
    release = shared.release;
    page = await signedInPage(shared.browser, server.url, 'alice', PASSWORD, pageErrors);
  });

  afterEach(async (t) => {
    await screenshotAfter(page, 'console-data', t);
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });

  after(async () => {
    await release?.();
    await server?.close();
    tmp.remove();
  });

  it(
    "runs Lab 1 in a worksheet; the Data page's tree (by keyboard) shows RATINGS with 100,836 rows, its columns, preview and load",
    T,
    async () => {
      await runAll(LAB1);
      await page.click('#page-nav a[data-page=data]');
      await page.waitForSelector('[role=treeitem][data-key="db:MOVIELENS"]');
      // Keyboard only: focus the tree, open MOVIELENS and PUBLIC, walk down to RATINGS and open it.
      await page.focus('[role=treeitem][tabindex="0"]');
      const focusedKey = () => page.evaluate<string>("document.activeElement?.dataset?.key ?? ''");
      for (let i = 0; i < 10 && (await focusedKey()) !== 'db:MOVIELENS'; i++) await page.keyboard.press('ArrowDown');
      assert.equal(await focusedKey(), 'db:MOVIELENS');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      assert.equal(await focusedKey(), 'schema:MOVIELENS.PUBLIC');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      for (let i = 0; i < 10 && (await focusedKey()) !== 'obj:table:MOVIELENS.PUBLIC.RATINGS'; i++) await page.keyboard.press('ArrowDown');
      assert.equal(await focusedKey(), 'obj:table:MOVIELENS.PUBLIC.RATINGS');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#data-row-count:text("0 rows")');
      // The guide's Load Data: ratings.csv from the stage, in the MOVIELENS format.
      await page.click('#data-load');
      await page.waitForSelector('#load-dialog[open]');
      await page.selectOption('#load-stage', '@"STAGING"."PUBLIC"."ML_SMALL"');
      await page.waitForSelector('#load-stage-file option[value="ratings.csv"]', { state: 'attached' });
      await page.selectOption('#load-stage-file', 'ratings.csv');
      await page.selectOption('#load-format', '"MOVIELENS"."PUBLIC"."MOVIELENS"');
      await page.click('#load-submit');
      await page.waitForSelector('#load-status:text("100,836 rows loaded")', { timeout: 180_000 });
      assert.match((await page.textContent('#load-result tbody')) ?? '', /ratings\.csv.*LOADED/);
      await page.click('#load-dialog .dialog-buttons button:text("Close")');
      await page.waitForSelector('#data-row-count:text("100,836 rows")');
      assert.equal(await page.textContent('#data-object-title'), 'MOVIELENS.PUBLIC.RATINGS');
      const columns = await page.locator('#data-columns tbody tr td:first-child').allTextContents();
      assert.deepEqual(columns, ['USERID', 'MOVIEID', 'RATING', 'TIMESTAMP']);
      assert.equal(await page.getAttribute('#data-preview .grid', 'aria-rowcount'), '101', 'a header and the first 100 rows');
      await page.waitForSelector('#data-history td:text("LOADED")');
      assert.match((await page.textContent('#data-history tbody')) ?? '', /ratings\.csv.*100836/);
      assert.equal(await page.isVisible('#data-load'), true);
      await readmeShot('console-data.png');
    },
  );

  it('loads an uploaded file through the Load Data dialog with ON_ERROR = continue and shows the result per file', T, async () => {
    await runAll('use role sysadmin; create table movielens.public.new_movies (movieid int, title varchar, genres varchar)');
    const csv = join(tmp.dir, 'new_movies.csv');
    writeFileSync(
      csv,
      'movieId,title,genres\n900001,"Brand New (2026)",Drama\nnot-a-number,"Broken",Comedy\n900002,"Newer, Still (2026)",Comedy|Drama\n',
    );
    await page.click('#page-nav a[data-page=data]');
    await page.waitForSelector('[role=treeitem][data-key="obj:table:MOVIELENS.PUBLIC.NEW_MOVIES"]', { state: 'attached' });
    for (const key of ['db:MOVIELENS', 'schema:MOVIELENS.PUBLIC']) {
      await page.waitForSelector(`[role=treeitem][data-key="${key}"]`);
      if ((await page.getAttribute(`[role=treeitem][data-key="${key}"]`, 'aria-expanded')) === 'false')
        await page.click(`[role=treeitem][data-key="${key}"] > .tree-label`);
    }
    await page.click('[role=treeitem][data-key="obj:table:MOVIELENS.PUBLIC.NEW_MOVIES"] > .tree-label');
    await page.waitForSelector('#data-row-count:text("0 rows")');
    await page.click('#data-load');
    await page.waitForSelector('#load-dialog[open]');
    await page.check('#load-from-file');
    await page.setInputFiles('#load-file', csv);
    await page.waitForSelector('#load-format option[value=\'"MOVIELENS"."PUBLIC"."MOVIELENS"\']', { state: 'attached' });
    await page.selectOption('#load-format', '"MOVIELENS"."PUBLIC"."MOVIELENS"');
    await page.selectOption('#load-on-error', 'CONTINUE');
    await page.click('#load-submit');
    await page.waitForSelector('#load-status:text("2 rows loaded")');
    const result = (await page.textContent('#load-result tbody')) ?? '';
    assert.match(result, /new_movies\.csv.*PARTIALLY_LOADED/);
    assert.match(result, /not-a-number/);
    // The uploaded file is now in the user's stage, listed for the next load.
    await page.check('#load-from-stage');
    await page.selectOption('#load-stage', '@~');
    await page.waitForSelector('#load-stage-file option[value="console-uploads/new_movies.csv"]', { state: 'attached' });
    await page.click('#load-dialog .dialog-buttons button:text("Close")');
    await page.waitForSelector('#data-row-count:text("2 rows")');
    const stored = await adminSql('select count(*) from movielens.public.new_movies');
    assert.equal(Number(stored.results[0].rows[0][0]), 2);
  });

  it('starts a job from SQL, follows it to Completed on its page with its curve per epoch and fold, and deploys it', T, async () => {
    const started = await runAll(`use role sysadmin; use schema movielens.public;
create or replace table ratings_train_data as (select USERID, MOVIEID, RATING from ratings order by userid, movieid limit 2000);
create or replace table user_movie_recommendations (USERID float, TOP_10_RECOMMENDATIONS variant);
select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings_train_data', 'MOVIELENS.PUBLIC.user_movie_recommendations',
  parse_json('{"folds": 3, "hyperparameters": {"n_epochs": 12, "n_factors": 10}}')) as job;`);
    const answer = started.results.at(-1)!.rows[0][0];
    jobName = String((typeof answer === 'string' ? JSON.parse(answer) : (answer as Record<string, unknown>)).TrainingJobName);
    assert.match(jobName, /^train-/);

    await page.click('#page-nav a[data-page=jobs]');
    await page.waitForSelector(`.jobs-table a:text("${jobName}")`);
    await page.fill('#jobs-filter-name', 'no-such-job');
    assert.equal(await page.locator('.jobs-table tbody tr').count(), 0);
    await page.fill('#jobs-filter-name', jobName.slice(-4));
    await page.click(`.jobs-table a:text("${jobName}")`);
    assert.equal(new URL(page.url()).hash, `#/jobs/${jobName}`);
    await page.waitForSelector('#job-title:text("' + jobName + '")');
    await page.waitForSelector('.job-head .badge:text("Completed")', { timeout: 120_000 });

    const timeline = await page.locator('#job-timeline li strong').allTextContents();
    assert.deepEqual(timeline, ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    assert.match((await page.textContent('#job-params')) ?? '', /nEpochs\s*12/);
    await page.waitForSelector('#job-curve canvas');
    const box = await page.locator('#job-curve canvas').first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, `the curve's canvas is drawn: ${JSON.stringify(box)}`);
    const legend = await page.locator('#job-curve .u-legend th').allTextContents();
    for (const label of ['Full fit', 'Fold 1', 'Fold 2', 'Fold 3'])
      assert.ok(
        legend.some((l) => l.includes(label)),
        `legend has ${label}: ${legend}`,
      );
    assert.equal(await page.locator('#job-cv tbody tr').count(), 5, 'three folds, the mean and the std');
    assert.equal(await page.locator('#job-cv svg circle').count(), 3, 'one dot per fold');
    assert.match((await page.textContent('#job-log')) ?? '', /Fold 1: RMSE/);
    assert.match((await page.textContent('#job-artifact')) ?? '', /^file:\/\//);
    assert.equal(await page.isVisible('#job-stop'), false);
    await readmeShot('console-job.png');

    await page.click('#job-deploy');
    await page.fill('#deploy-endpoint', 'movielens-model-v1');
    await page.click('#deploy-dialog button[type=submit]');
    await page.waitForSelector('#deploy-result:text("Endpoint movielens-model-v1")');
    await page.click('#deploy-dialog button:text("Close")');
    const endpoints = await adminSql('show endpoints');
    assert.match(JSON.stringify(endpoints.results[0].rows), /movielens-model-v1/i);
  });

  it('stops a running job from its page', T, async () => {
    const started = await runAll(`use role sysadmin;
select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings', 'MOVIELENS.PUBLIC.long_recs',
  parse_json('{"folds": 0, "hyperparameters": {"n_epochs": 5000}}')) as job;`);
    const answer = started.results.at(-1)!.rows[0][0];
    const name = String((typeof answer === 'string' ? JSON.parse(answer) : (answer as Record<string, unknown>)).TrainingJobName);
    await page.goto(`${server!.url}/#/jobs/${name}`);
    await page.waitForSelector('#job-stop:visible');
    await page.click('#job-stop');
    await page.waitForSelector('.job-head .badge:text("Stopped")', { timeout: 180_000 });
    assert.equal(await page.isVisible('#job-deploy'), false);
    // The list filtered by status shows it, and not the completed one.
    await page.goto(`${server!.url}/#/jobs`);
    await page.fill('#jobs-filter-name', '');
    await page.selectOption('#jobs-filter-status', 'Stopped');
    await page.waitForSelector(`.jobs-table a:text("${name}")`);
    assert.equal(await page.locator(`.jobs-table a:text("${jobName}")`).count(), 0);
  });
});
