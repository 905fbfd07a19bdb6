import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { authHeaders } from '../support/auth.js';
import { browserMissing, screenshot } from '../support/browser.js';
import { consoleSuite, waitInService } from '../support/console-suite.js';
import { httpCall } from '../support/http-call.js';
import { describeDraws, describeRun, measureScrolling, quantile } from '../support/scroll-frames.js';
import { mlSmall, repoRoot, sharedDataSkip } from '../support/shared-data.js';

const PASSWORD = 'live-pw-1';
const ENDPOINT = 'live-model';
/**
 * Enough epochs of a small SVD on ~29k ratings of ml-latest-small (its first USERS users) that each fit (two
 * folds and the full fit, side by side) lasts a few seconds: its lines can be watched growing (the page
 * polls twice a second), at a fraction of the CPU of a long job. The full fit must outlast several of the
 * page's polls even on a quiet machine: 100 users and 1,500 epochs ended after one or two (CI saw it grow once).
 */
const EPOCHS = 3000;
const USERS = 200;
const FACTORS = 20;
const skip = browserMissing() ?? sharedDataSkip;
const T = { timeout: 150_000 };
const updateDocs = /^(1|true|yes)$/i.test(process.env.RECPIPE_UPDATE_SCREENSHOTS ?? '');

/**
 * The console's live figures in a real browser against `recpipe server`: a training curve that grows
 * while the job runs, a 100k-row result paged from the server and scrolled (frame times measured), and
 * endpoint traffic counted from SQL, HTTP and the console, kept across a server restart.
 */
describe('console live figures in a browser', { skip }, () => {
  const suite = consoleSuite('console-live', { name: 'alice', password: PASSWORD }, async (s) => {
    await s.adminSql(
      `use role accountadmin; create user alice password = '${PASSWORD}' default_role = sysadmin; grant role sysadmin to user alice;
       use role sysadmin; create database movielens; use schema movielens.public;
       create table all_ratings (userid int, movieid int, rating float, timestamp int);
       copy into all_ratings from 'file://${mlSmall('ratings.csv')}' file_format = (type = csv skip_header = 1);
       create table ratings as select userid, movieid, rating from all_ratings where userid <= ${USERS};
       create table recs (userid float, top_10_recommendations variant)`,
    );
  });
  let job = '';
  const url = () => suite.server.url;
  const adminSql = (sql: string) => suite.adminSql(sql);
  const jobStatus = async (): Promise<string> =>
    String((await httpCall(url(), 'GET', `/api/v1/training-jobs/${job}`, authHeaders(suite.home))).json().status);
  const docsShot = async (name: string) => {
    if (!updateDocs) return;
    await suite.page.locator('.page:not([hidden]) h1, #job-title').first().scrollIntoViewIfNeeded();
    copyFileSync(await screenshot(suite.page, 'console-live-docs', name), join(repoRoot(), 'docs', `console-${name}.png`));
  };
  /** Waits until the element's data-total (the requests a chart has drawn) reaches n. */
  const charted = async (selector: string, n: number) => {
    for (const deadline = Date.now() + 30_000; ; ) {
      const total = Number(await suite.page.locator(selector).getAttribute('data-total'));
      if (total >= n) return total;
      assert.ok(Date.now() < deadline, `${selector} shows ${total} requests, not ${n}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  it("grows the full fit's and each fold's training curve and the log while the job runs", T, async () => {
    const options = { folds: 2, hyperparameters: { n_factors: FACTORS, n_epochs: EPOCHS }, deploy_to: ENDPOINT, deploy_policy: 'always' };
    const [[cell]] = await adminSql(
      `use role sysadmin; select train_and_get_recommendations('MOVIELENS.PUBLIC.RATINGS', 'MOVIELENS.PUBLIC.RECS', parse_json('${JSON.stringify(options)}'))`,
    );
    job = String(((typeof cell === 'string' ? JSON.parse(cell) : cell) as { TrainingJobName: string }).TrainingJobName);
    await suite.page.goto(`${url()}/#/jobs/${job}`);
    await suite.page.waitForSelector('#job-title');
    // What the page shows while the job is still running: the points drawn per line, and whether the log has lines.
    const whileRunning: { points: number; folds: Map<number, number>; canvas: boolean; log: boolean }[] = [];
    // Read in one round trip, twice per poll of the page: each read costs the test process and the browser.
    const look = `(() => {
      const curve = document.querySelector('#job-curve');
      return { points: Number(curve?.dataset.points ?? 0), folds: curve?.dataset.folds ?? '', canvas: !!curve?.querySelector('canvas'),
        log: (document.querySelector('#job-log')?.textContent ?? '').length > 0 };
    })()`;
    for (const deadline = Date.now() + 120_000; (await jobStatus()) === 'InProgress'; ) {
      assert.ok(Date.now() < deadline, 'the job did not end in two minutes');
      const seen = (await suite.page.evaluate(look)) as { points: number; folds: string; canvas: boolean; log: boolean };
      const folds = seen.folds.split(' ').filter((f) => f !== '');
      whileRunning.push({ ...seen, folds: new Map(folds.map((f) => f.split(':').map(Number) as [number, number])) });
      await new Promise((r) => setTimeout(r, 250));
    }
    const partial = (points: (number | undefined)[]) => [
      ...new Set(points.filter((p): p is number => p !== undefined && p > 0 && p < EPOCHS)),
    ];
    const growing = partial(whileRunning.map((s) => s.points));
    const foldsGrowing = [1, 2].map((f) => partial(whileRunning.map((s) => s.folds.get(f))));
    console.log(
      `curve points seen before the job ended: full fit ${growing.join(', ')}; ${foldsGrowing.map((g, f) => `fold ${f + 1} ${g.join(', ')}`).join('; ')}`,
    );
    assert.ok(growing.length >= 2, `the full fit's curve gained points at least twice before the job ended: ${growing}`);
    for (const [f, g] of foldsGrowing.entries())
      assert.ok(g.length >= 1, `fold ${f + 1}'s line had points before the fold ended (before Completed): ${g}`);
    for (const line of [growing, ...foldsGrowing])
      assert.ok(
        line.every((p, i) => i === 0 || p > line[i - 1]),
        `a line only grows: ${line}`,
      );
    assert.ok(
      whileRunning.some((s) => s.canvas && s.points > 0 && s.points < EPOCHS),
      'a chart was drawn mid-run',
    );
    assert.ok(
      whileRunning.some((s) => s.log && s.points < EPOCHS),
      'the log showed lines mid-run',
    );
    assert.equal(await jobStatus(), 'Completed');
    await suite.page.waitForSelector(
      `#job-curve[data-points="${EPOCHS}"][data-folds="1:${EPOCHS} 2:${EPOCHS}"][data-held-out="1:${EPOCHS} 2:${EPOCHS}"]`,
    );
    const legend = await suite.page.locator('#job-curve .u-legend th').allTextContents();
    for (const label of ['Full fit', 'Fold 1', 'Fold 2', 'Fold 1 held-out', 'Fold 2 held-out'])
      assert.ok(
        legend.some((l) => l.includes(label)),
        `legend has ${label}: ${legend}`,
      );
    await suite.page.waitForSelector('#job-cv table');
    await docsShot('job');
  });

  it('draws a training and a held-out line per fold for a job of another algorithm (ALS)', T, async () => {
    const epochs = 5;
    const options = { algorithm: 'als', folds: 2, hyperparameters: { n_factors: 5, n_epochs: epochs } };
    const [[cell]] = await adminSql(
      `use role sysadmin; create table movielens.public.recs_als (userid float, top_10_recommendations variant);
       select train_and_get_recommendations('MOVIELENS.PUBLIC.RATINGS', 'MOVIELENS.PUBLIC.RECS_ALS', parse_json('${JSON.stringify(options)}'))`,
    );
    const als = String(((typeof cell === 'string' ? JSON.parse(cell) : cell) as { TrainingJobName: string }).TrainingJobName);
    await suite.page.goto(`${url()}/#/jobs/${als}`);
    await suite.page.waitForSelector(
      `#job-curve[data-measure="rmse"][data-folds="1:${epochs} 2:${epochs}"][data-held-out="1:${epochs} 2:${epochs}"] canvas`,
      { timeout: 120_000 },
    );
    const legend = await suite.page.locator('#job-curve .u-legend th').allTextContents();
    for (const label of ['Full fit', 'Fold 1', 'Fold 2', 'Fold 1 held-out', 'Fold 2 held-out'])
      assert.ok(
        legend.some((l) => l.includes(label)),
        `legend has ${label}: ${legend}`,
      );
    // The job's description carries the same held-out figures per fold. The page draws the last epoch before the
    // job has written its output and ended (a loaded machine widens that gap), so its end is waited for.
    const describeJob = async () => (await httpCall(url(), 'GET', `/api/v1/training-jobs/${als}`, authHeaders(suite.home))).json();
    let described = await describeJob();
    for (const deadline = Date.now() + 60_000; described.status === 'InProgress' && Date.now() < deadline; described = await describeJob())
      await new Promise((r) => setTimeout(r, 250));
    assert.equal(described.status, 'Completed');
    for (const fold of described.metrics.cv.folds) assert.equal(fold.testRmse.length, epochs);
  });

  it('pages a 100k-row result from the server and scrolls it, measuring frame times', T, async () => {
    await suite.page.goto(`${url()}/#/worksheets`);
    await suite.page.waitForSelector('.cm-content');
    const sql = "select range as i, 'row ' || range as s, object_construct('i', range) as v from range(100000) order by i";
    await suite.page.focus('.cm-content');
    await suite.page.keyboard.press('Control+A');
    await suite.page.keyboard.press('Delete');
    await suite.page.keyboard.insertText(sql);
    const answered = suite.page.waitForResponse(
      (r) => r.url().endsWith('/console/api/statements') && r.request().postData()?.includes('range(100000)') === true,
    );
    await suite.page.keyboard.press('Control+Shift+Enter');
    const first = (await (await answered).json()) as { results: { rows: unknown[]; rowCount: number }[] };
    assert.equal(first.results[0].rowCount, 100_000);
    assert.ok(first.results[0].rows.length <= 1000, `the answer carried ${first.results[0].rows.length} rows, not all of them`);
    await suite.page.waitForSelector('#status:text("100,000 rows")');

    // One round of each scroll, of half the benchmark's frames (it pools three rounds), is enough for figures that are
    // printed, not judged.
    const figures = await measureScrolling(suite.page, { fling: 1, back: 1, jumps: 1 }, { fling: 30, back: 30, jumps: 30 });
    const f = describeDraws;
    const line = describeRun;
    console.log(
      `100k rows, frame times (headless chromium, no GPU, 2 cores shared with other work):\n` +
        `  fling: grid ${line(figures.gridFling)}; control ${line(figures.controlFling)}\n` +
        `  back over fetched rows: grid ${line(figures.gridBack)}; control ${line(figures.controlBack)}\n` +
        `  jumps: grid ${line(figures.gridJumps)}; control ${line(figures.controlJumps)}\n` +
        `  the grid's own work per frame: ${f(figures.draws)}`,
    );
    assert.ok(quantile(figures.draws, 0.95) < 16.7, `the grid's own work fits in a 60 fps frame: ${f(figures.draws)}`);
    // 60 fps beside the control (the grid's p95 frame within one frame of the control's) is a speed goal, judged by
    // npm run bench:console over repetitions on a quiet machine. Here it is printed: with three test files sharing
    // two cores one fling's p95 moves by more than a frame from run to run (a row page parsed in a long frame), and
    // an assertion would only make a flaky test. Where the control itself misses 60 fps nothing can be judged.
    for (const [what, grid, control] of [
      ['fling', figures.gridFling, figures.controlFling],
      ['back over fetched rows', figures.gridBack, figures.controlBack],
    ] as const) {
      const controlP95 = quantile(control.frames, 0.95);
      const verdict =
        controlP95 > 20
          ? 'not judged, the control itself missed 60 fps'
          : quantile(grid.frames, 0.95) <= controlP95 + 16.7
            ? 'within one frame of the control'
            : 'more than one frame over the control (see bench:console for the judged figure)';
      console.log(`${what}: ${verdict}`);
    }
    assert.ok((await suite.page.locator('.grid-rows [role=row]').count()) < 100, 'only the visible rows are in the DOM');
    // A jump past the middle of the result, to rows no scroll has fetched yet, and the grid's redraw after it.
    await suite.page.evaluate(`(async () => {
      const grid = document.querySelector('.grid');
      grid.scrollTop = grid.scrollHeight * 0.6;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    })()`);

    // The rows in view arrive from the server and are the right ones.
    // Polled from here, not with waitForFunction: its in-page polling evaluates a string, which the console's
    // Content-Security-Policy (no 'unsafe-eval') refuses whenever the rows are not there at the first look.
    const rowsArrived = `![...document.querySelectorAll('.grid-rows [role=row]:not([aria-hidden]) [role=gridcell]')].some((c) => c.textContent === '…')`;
    for (let tries = 0; !(await suite.page.evaluate(rowsArrived)); tries++) {
      assert.ok(tries < 600, 'the rows in view arrived from the server within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const shown = (await suite.page.evaluate(
      `[...document.querySelectorAll('.grid-rows [role=row]:not([aria-hidden])')].map((r) => [...r.children].map((c) => c.textContent.trim()))`,
    )) as string[][];
    assert.ok(shown.length > 10);
    for (const [index, i, s, v] of shown) {
      assert.equal(Number(i), Number(index) - 1);
      assert.equal(s, `row ${i}`);
      assert.match(v, new RegExp(`^\\{…\\}\\s*\\{"i":${i}\\}$`));
    }
    assert.ok(Math.min(...shown.map((r) => Number(r[0]))) > 50_000, 'scrolled far into the result');
    const row = suite.page.locator('.grid-rows [role=row]:not([aria-hidden])').nth(12);
    const index = Number(await row.locator('[role=rowheader]').textContent());
    await row.locator('button.json-open').click();
    assert.equal(JSON.parse((await suite.page.textContent('#json-body')) ?? '').i, index - 1);
    await suite.page.click('#json-dialog button');

    // The download has every row, fetched page by suite.page.
    const [download] = await Promise.all([suite.page.waitForEvent('download'), suite.page.click('#download-csv')]);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    assert.equal(csv.length, 100_002, 'a header, 100,000 rows and the final line break');
    assert.equal(csv[99_999], '99998,row 99998,"{""i"":99998}"');
  });

  it('charts every invocation path of an endpoint, per second and per minute, across a restart', T, async () => {
    await waitInService(suite, ENDPOINT);
    await suite.page.goto(`${url()}/#/endpoints/${ENDPOINT}`);
    await suite.page.waitForSelector('#endpoint-status :text("InService")');
    // SQL: 25 rows of invoke_model and 2 recommend calls; HTTP: one SageMaker-style request; the playground: one.
    await adminSql(
      `use role sysadmin; select invoke_model('${ENDPOINT}', userid, movieid) from movielens.public.ratings limit 25;
       select recommend('${ENDPOINT}', 1, 5); select recommend('${ENDPOINT}', 2, 5)`,
    );
    const http = await fetch(`${url()}/endpoints/${ENDPOINT}/invocations`, {
      method: 'POST',
      headers: { ...authHeaders(suite.home), 'content-type': 'text/csv' },
      body: '1,31\n',
    });
    assert.equal(http.status, 200, await http.text());
    await suite.page.fill('#playground-input', '1,31');
    await suite.page.click('#playground-run');
    await suite.page.waitForSelector('#playground-output tbody tr');
    assert.equal(await charted('#chart-rps', 29), 29, 'the per-second chart counts SQL, HTTP and the console');
    assert.equal(await charted('#history-rps', 29), 29, 'so does the per-minute one');
    assert.equal(await suite.page.locator('#history-rps canvas').count(), 1);
    assert.match((await suite.page.textContent('#history-totals')) ?? '', /29 requests .* from one process/);

    // The home served anew (the first engine closed, another opened) reads the first one's minutes and last seconds back.
    await suite.restart();
    await suite.page.goto(`${url()}/#/endpoints/${ENDPOINT}`);
    await suite.page.waitForSelector('#endpoint-status :text("InService")');
    await charted('#history-rps', 29);
    assert.equal(await charted('#chart-rps', 29), 29, "the live chart shows the first process's seconds too");
    assert.match((await suite.page.textContent('#traffic-totals')) ?? '', /29 requests .* from one process/);
    await suite.page.click('#playground-run');
    await suite.page.waitForSelector('#playground-output tbody tr');
    await charted('#history-rps', 30);
    await charted('#chart-rps', 30);
    await suite.page.waitForSelector('#history-totals:text("from 2 processes")');
    await suite.page.waitForSelector('#traffic-totals:text("from 2 processes")');
    await docsShot('endpoint');
  });
});
