import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { WORKSHEETS_FILE } from '../../src/service/console/index.js';
import { authHeaders } from '../support/auth.js';
import { browserMissing, screenshotAfter, useBrowser } from '../support/browser.js';
import { loadFigures } from '../support/scroll-frames.js';
import { serveHome, type ServedHome } from '../support/served-home.js';
import { tempDir } from '../support/temp-engine.js';

const PASSWORD = 'console-pw-1';
const skip = browserMissing() ?? false;
const T = { timeout: 120_000 };

/**
 * The console in a real browser (Debian's chromium via playwright-core) against recpipe's server:
 * sign-in, a worksheet query, a 100k-row result, an error marked in the editor, sign-out, CSRF. The
 * server runs in the test process: the page's load time is printed, not held to its budget (that is
 * bench:console's), so a child's start-up (~3 CPU-s) would buy nothing here.
 */
describe('console in a browser', { skip }, () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  let server: ServedHome | undefined;
  let release: (() => Promise<void>) | undefined;
  let context: BrowserContext;
  let page: Page;
  /** Uncaught exceptions in the page, and console errors other than the refused requests the tests make on purpose. */
  const pageErrors: string[] = [];

  const adminSql = async (sql: string) => {
    const r = await fetch(`${server!.url}/api/v1/statements`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    assert.equal(r.status, 200, await r.text());
  };

  /** Replaces the editor's text and runs it all (Ctrl+Shift+Enter), waiting for the run to finish. */
  const runAll = async (sql: string) => {
    // Focus, not click: a completion list or the lint gutter may lie over the point a click would hit.
    await page.focus('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(sql);
    const done = page.waitForResponse(
      (r) => r.url().endsWith('/console/api/statements') && r.request().postData()?.includes(JSON.stringify(sql).slice(1, 30)) === true,
    );
    await page.keyboard.press('Control+Shift+Enter');
    await done;
  };

  const signIn = async (user: string, password: string) => {
    await page.goto(server!.url + '/');
    await page.fill('#sign-in-user', user);
    await page.fill('#sign-in-password', password);
    await page.click('#sign-in-form button[type=submit]');
  };

  before(async () => {
    server = await serveHome(home);
    await adminSql(
      `use role accountadmin; create user alice password = '${PASSWORD}' default_role = sysadmin; grant role sysadmin to user alice;
       use role sysadmin; create database movielens; create table movielens.public.ratings (userid int, movieid int, rating float, tags variant);
       insert into movielens.public.ratings select range % 610 + 1, range % 9000 + 1, (range % 10) / 2 + 0.5, null from range(40)`,
    );
    const shared = await useBrowser();
    release = shared.release;
    context = await shared.browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    page.setDefaultTimeout(30_000);
  });

  afterEach(async (t) => {
    await screenshotAfter(page, 'console', t);
  });

  after(async () => {
    await release?.();
    await server?.close();
    tmp.remove();
  });

  it('refuses a wrong password and stays on the sign-in page', T, async () => {
    await signIn('alice', 'not-the-password');
    await page.waitForSelector('#sign-in-error:text("incorrect")');
    assert.equal(await page.isHidden('#app'), true);
    assert.equal((await context.cookies()).length, 0);
  });

  it('signs in with a password; the cookie is HttpOnly and SameSite=Strict', T, async () => {
    await signIn('alice', PASSWORD);
    await page.waitForSelector('body[data-ready="ALICE"]');
    const [cookie] = await context.cookies();
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
  });

  it('runs a query in a worksheet and shows its rows', T, async () => {
    await runAll('select * from movielens.public.ratings order by userid, movieid limit 10');
    await page.waitForSelector('#status:text("10 rows")');
    const header = await page.locator('.grid-header [role=columnheader]').allTextContents();
    assert.deepEqual(header, ['#', 'USERID', 'MOVIEID', 'RATING', 'TAGS']);
    assert.equal(await page.locator('.grid-rows [role=row]').count(), 10);
    assert.equal(await page.locator('.grid-rows [role=row]').first().locator('[role=gridcell]').first().textContent(), '1');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    assert.equal(csv[0], 'USERID,MOVIEID,RATING,TAGS');
    assert.equal(csv.length, 12, 'a header, ten rows and the final line break');
    await page.click('#tab-history');
    assert.match((await page.locator('.history-table tbody tr').first().textContent()) ?? '', /Succeeded.*ms10/);
    await page.click('#tab-results');
  });

  it('keeps a run pressed while the object lists refresh after a use, and runs it in the context the use left', T, async () => {
    // The refresh after `use` is held until the second run has been pressed, so the press surely lands mid-run.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/console/api/statements', async (route) => {
      if (route.request().postData()?.includes('show roles') === true) await held;
      await route.continue();
    });
    try {
      await page.focus('.cm-content');
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('use schema movielens.public');
      const refreshing = page.waitForRequest(
        (r) => r.url().endsWith('/console/api/statements') && r.postData()?.includes('show roles') === true,
      );
      await page.keyboard.press('Control+Shift+Enter');
      await refreshing;
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('select count(*) as n from ratings');
      await page.keyboard.press('Control+Shift+Enter');
      await page.waitForSelector('#status:text("Waiting for the run under way")');
      release();
      await page.waitForSelector('#status:text("1 rows")');
      assert.deepEqual(await page.locator('.grid-header [role=columnheader]').allTextContents(), ['#', 'N']);
      assert.equal(await page.locator('.grid-rows [role=row]').first().locator('[role=gridcell]').first().textContent(), '40');
    } finally {
      release();
      await page.unroute('**/console/api/statements');
    }
  });

  it('switches the session context from the pickers and completes object names', T, async () => {
    await page.selectOption('#pick-database', 'MOVIELENS');
    await page.waitForSelector('#pick-schema option[value="PUBLIC"]', { state: 'attached' });
    await runAll('select current_database() d');
    await page.waitForSelector('.grid-rows [role=gridcell]:text-is("MOVIELENS")');
    await page.focus('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('select * from movielens.public.');
    await page.keyboard.type('ra');
    await page.waitForSelector('.cm-tooltip-autocomplete li:has-text("ratings")');
    await page.keyboard.press('Escape');
  });

  it('scrolls a 100k-row result with only the visible rows in the DOM', T, async () => {
    await runAll("select range as i, 'row ' || range as s, object_construct('i', range) as v from range(100000) order by i");
    await page.waitForSelector('#status:text("100,000 rows")');
    const drawn = () => page.locator('.grid-rows [role=row]').count();
    assert.ok((await drawn()) < 100, `${await drawn()} rows in the DOM`);
    // Scroll through the result and measure frames while doing so.
    const frames = (await page.evaluate(`(async () => {
      const grid = document.querySelector('.grid');
      const times = [];
      let last = performance.now();
      for (let i = 0; i < 30; i++) {
        grid.scrollTop += grid.scrollHeight / 50;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      // Let the last scroll's redraw land before the rows are read.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return times.sort((a, b) => a - b);
    })()`)) as number[];
    const median = frames[Math.floor(frames.length / 2)];
    const draws = (await page.evaluate(
      `performance.getEntriesByName('grid-draw').map((e) => e.duration).sort((a, b) => a - b)`,
    )) as number[];
    const drawMedian = draws[Math.floor(draws.length / 2)];
    console.log(
      `100k rows: median frame ${median.toFixed(1)} ms while scrolling, grid redraw ${drawMedian.toFixed(1)} ms (headless, no GPU, machine shared and loaded)`,
    );
    const visible = await page.locator('.grid-rows [role=row]').allTextContents();
    assert.ok(visible.length < 100, `${visible.length} rows in the DOM after scrolling`);
    const firstIndex = Number(await page.locator('.grid-rows [role=row] [role=rowheader]').first().textContent());
    assert.ok(firstIndex > 50_000, `scrolled far into the result (first drawn row ${firstIndex})`);
    // A VARIANT cell opens as pretty JSON (a row in view: clicking one in the overscan would scroll first).
    const row = page.locator('.grid-rows [role=row]').nth(15);
    const index = Number(await row.locator('[role=rowheader]').textContent());
    await row.locator('button.json-open').click();
    const json = JSON.parse((await page.textContent('#json-body')) ?? '');
    assert.equal(json.i, index - 1);
    await page.click('#json-dialog button');
  });

  it('marks the line of an error in the editor', T, async () => {
    await runAll('select 1;\nselect * from movielens.public.no_such_table');
    await page.waitForSelector('.result-message.error');
    assert.match((await page.textContent('.result-message.error')) ?? '', /NO_SUCH_TABLE/);
    await page.waitForSelector('.cm-lintRange-error');
    const lines = page.locator('.cm-content .cm-line');
    const marked = (await lines.count()) > 0 ? await page.locator('.cm-content .cm-line:has(.cm-lintRange-error)').textContent() : null;
    assert.equal(marked, 'select * from movielens.public.no_such_table', 'the second line is marked');
  });

  it('keeps the worksheet in the home, owner-only', T, async () => {
    await page.waitForSelector('#save-state:text-is("Saved")');
    const file = join(home, WORKSHEETS_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await page.reload();
    await page.waitForSelector('body[data-ready="ALICE"]');
    // Bytes as they crossed the wire (gzip), of every script the first page loaded.
    const load = await loadFigures(page);
    console.log(
      `console load: ${(load.js / 1024).toFixed(0)} KB of JS compressed (budget 300 KB), DOM interactive at ${load.interactive.toFixed(0)} ms, worksheet ready (interactive) at ${load.ready.toFixed(0)} ms (budget 1000 ms)`,
    );
    assert.ok(load.js > 0 && load.js <= 300 * 1024, `first page JS ${load.js} bytes compressed`);
    // The 1 s goal is judged by npm run bench:console over repetitions: one timed load on a shared machine is not a measure.
    assert.ok(load.ready > 0 && load.ready >= load.interactive, `the console-ready mark at ${load.ready.toFixed(0)} ms`);
    assert.match((await page.locator('.cm-content').textContent()) ?? '', /no_such_table/);
  });

  it('refuses a cross-site POST that carries the cookie but no CSRF token', T, async () => {
    // What a forged request looks like once a browser sent the cookie: everything but the token.
    const [cookie] = await context.cookies();
    const forged = await page.request.post(`${server!.url}/console/api/statements`, {
      headers: { cookie: `${cookie.name}=${cookie.value}`, 'content-type': 'application/json' },
      data: { sql: 'drop table movielens.public.ratings' },
    });
    assert.equal(forged.status(), 403);
    const viaApi = await page.request.post(`${server!.url}/api/v1/statements`, {
      headers: { cookie: `${cookie.name}=${cookie.value}`, 'content-type': 'application/json' },
      data: { sql: 'select 1' },
    });
    assert.equal(viaApi.status(), 401, 'the cookie counts on the console routes only');
    // A page of another site (localhost is not 127.0.0.1) posting to the console: the browser keeps the
    // cookie back (SameSite=Strict) and the page cannot read the token, so nothing happens.
    const other = await context.newPage();
    await other.goto(server!.url.replace('127.0.0.1', 'localhost') + '/');
    await other.evaluate(
      `fetch(${JSON.stringify(server!.url + '/console/api/statements')}, { method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'content-type': 'text/plain' }, body: '{"sql":"create table movielens.public.forged (a int)"}' }).catch(() => null)`,
    );
    const tables = await fetch(`${server!.url}/api/v1/statements`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'application/json' },
      body: JSON.stringify({ sql: "show tables like 'FORGED' in schema movielens.public" }),
    });
    assert.equal(((await tables.json()) as { results: { rowCount: number }[] }).results[0].rowCount, 0, 'the forged statement did not run');
    await other.close();
  });

  it('signs out: the session ends and its cookie no longer works', T, async () => {
    const [cookie] = await context.cookies();
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in:not([hidden])');
    const reused = await fetch(`${server!.url}/console/api/me`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    assert.equal(reused.status, 401);
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  });
});
