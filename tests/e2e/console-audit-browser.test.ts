import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserMissing } from '../support/browser.js';
import { consoleSuite } from '../support/console-suite.js';

const PASSWORD = 'audit-pw-1';
const T = { timeout: 120_000 };
/** Laptop screens the console must fit: a common 14" panel and the smallest the issue names. */
const LAPTOPS = [
  { width: 1366, height: 768 },
  { width: 1280, height: 720 },
];
const PAGES = ['worksheets', 'data', 'jobs', 'endpoints', 'tasks', 'explore'];

type Audit = { sideways: number; shift: number; unnamed: string[]; low: string[]; texts: number; controls: number };
/**
 * What a page shows, checked in it: how far it scrolls sideways, the layout shift summed since load
 * (`window.__shift`, from an init script), visible controls without an accessible name, and visible text
 * whose contrast with the first opaque background behind it is below WCAG AA.
 */
const AUDIT = `(() => {
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const controls = [...document.querySelectorAll('input, select, textarea, button, [role=tab], [role=treeitem], a[href]')].filter(visible);
  const named = (e) => (e.labels && e.labels.length > 0) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')
    || e.getAttribute('title') || (e.tagName !== 'INPUT' && e.tagName !== 'SELECT' && e.tagName !== 'TEXTAREA' && e.textContent.trim() !== '')
    || (e.tagName === 'INPUT' && (e.type === 'submit' || e.type === 'button') && e.value);
  const unnamed = controls.filter((e) => !named(e)).map((e) => e.outerHTML.slice(0, 120));
  // WCAG relative luminance and contrast of text against the first opaque background behind it.
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (e) => { for (let n = e; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3); } return [255, 255, 255]; };
  const low = [];
  let texts = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const e = t.parentElement;
    if (!e || t.textContent.trim() === '' || !visible(e) || e.closest('[hidden], .cm-editor, canvas, svg, option')) continue;
    const s = getComputedStyle(e);
    if (Number(s.opacity) === 0) continue;
    texts++;
    const fg = rgb(s.color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(e))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) low.push(t.textContent.trim().slice(0, 40) + ' ' + ratio.toFixed(2));
  }
  return { sideways: document.documentElement.scrollWidth - innerWidth, shift: window.__shift, unnamed, low, texts, controls: controls.length };
})()`;

/**
 * Issue 15's list, the points no other browser test asserts: running only the selected statement, the
 * role and warehouse pickers, and on every page at laptop sizes no horizontal scrolling, no layout shift
 * while it loads, a name for every control, and text contrast (WCAG AA).
 */
describe('console audit in a browser', { skip: browserMissing() ?? false }, () => {
  const suite = consoleSuite('console-audit', { name: 'alice', password: PASSWORD }, async (s) => {
    await s.adminSql(
      `use role accountadmin; create user alice password = '${PASSWORD}' default_role = sysadmin; grant role sysadmin to user alice;
       use role sysadmin; create database movielens`,
    );
  });
  /** Picks from a context picker and waits for the `use …` it runs to be answered. */
  const pick = async (picker: string, value: string) => {
    const used = suite.page.waitForResponse(
      (r) => r.url().endsWith('/console/api/statements') && r.request().postData()?.includes('use ') === true,
    );
    await suite.page.selectOption(picker, value);
    await used;
  };
  /** Runs the whole worksheet, again if a run was still busy (a context switch refreshes the object lists after it) and took no keys. */
  const runAll = async (marker: string) => {
    for (let tries = 0; ; tries++) {
      const answered = suite.page.waitForResponse(
        (r) => r.url().endsWith('/console/api/statements') && r.request().postData()?.includes(marker) === true,
        { timeout: 3000 },
      );
      await suite.page.focus('.cm-content');
      await suite.page.keyboard.press('Control+Shift+Enter');
      if (
        await answered.then(
          () => true,
          () => tries >= 5,
        )
      )
        return;
    }
  };
  const typeSql = async (sql: string) => {
    await suite.page.focus('.cm-content');
    await suite.page.keyboard.press('Control+A');
    await suite.page.keyboard.press('Delete');
    await suite.page.keyboard.insertText(sql);
    // A completion list would take the run keys.
    await suite.page.keyboard.press('Escape');
  };

  it('runs only the selected statement with Ctrl+Enter, and all of them with Ctrl+Shift+Enter', T, async () => {
    const page = suite.page;
    await page.goto(`${suite.server.url}/#/worksheets`);
    await typeSql("select 'first' as which;\nselect 'second' as which");
    // Select the second line only (Home/End stay on the line; Shift+End extends the selection to its end).
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('#status:text("1 row")');
    await page.waitForSelector('.grid-rows [role=gridcell]:text-is("second")');
    assert.equal(await page.locator('.grid-rows [role=gridcell]:text-is("first")').count(), 0, 'the unselected statement did not run');
    await page.click('#tab-history');
    const history = await page.locator('.history-table tbody tr').allTextContents();
    assert.equal(history.filter((r) => r.includes("'first'")).length, 0, `history: ${history.join(' | ')}`);
    await page.click('#tab-results');
    await page.focus('.cm-content');
    await page.keyboard.press('Control+Shift+Enter');
    await page.click('#tab-history');
    await page.waitForSelector('.history-table tbody tr:has-text("\'first\'")');
    await page.click('#tab-results');
  });

  it('switches warehouse and role from the context pickers', T, async () => {
    const page = suite.page;
    await page.goto(`${suite.server.url}/#/worksheets`);
    await page.waitForSelector('#pick-warehouse option:not([value=""])', { state: 'attached' });
    const warehouse = await page.locator('#pick-warehouse option:not([value=""])').first().getAttribute('value');
    assert.ok(warehouse, 'a warehouse to pick');
    await pick('#pick-warehouse', warehouse);
    await typeSql('select current_warehouse() as w;');
    await runAll('current_warehouse');
    await page.waitForSelector(`.grid-rows [role=gridcell]:text-is("${warehouse}")`);
    await pick('#pick-role', 'PUBLIC');
    await typeSql('select current_role() as r;');
    await runAll('current_role');
    await page.waitForSelector('.grid-rows [role=gridcell]:text-is("PUBLIC")');
    await pick('#pick-role', 'SYSADMIN');
  });

  it('copies a result as CSV to the clipboard', T, async () => {
    const page = suite.page;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    await page.goto(`${suite.server.url}/#/worksheets`);
    await typeSql("select 1 as a, 'x,y' as b union all select 2, 'z' order by a;");
    await runAll("'x,y'");
    await page.waitForSelector('#status:text("2 rows")');
    await page.click('#copy-csv');
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), 'A,B\r\n1,"x,y"\r\n2,z\r\n');
  });

  /**
   * Loads every page at one screen size in a page of its own and audits it; the faint line and unlabelled field added
   * at the end show that the audit finds what it looks for.
   */
  const auditPages = async (size: { width: number; height: number }) => {
    const context = suite.page.context();
    const page = await context.newPage();
    try {
      await page.setViewportSize(size);
      // Layout shifts from the first paint on, as Chromium scores them (CLS), minus those right after input.
      await page.addInitScript(`window.__shift = 0;
          new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__shift += e.value; })
            .observe({ type: 'layout-shift', buffered: true });`);
      for (const name of PAGES) {
        // A full load of each page (a hash change alone would not reload it).
        await page.goto('about:blank');
        await page.goto(`${suite.server.url}/#/${name}`);
        await page.waitForSelector(`#page-nav a[data-page="${name}"][aria-current="page"]`);
        // Let the page's first data arrive and lay out.
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(300);
        const audit = (await page.evaluate(AUDIT)) as Audit;
        assert.ok(
          audit.texts >= 5 && audit.controls >= 8,
          `${size.width}×${size.height} ${name}: ${audit.texts} texts and ${audit.controls} controls checked`,
        );
        assert.ok(audit.sideways <= 0, `${size.width}×${size.height} ${name}: the page scrolls sideways by ${audit.sideways} px`);
        assert.ok(audit.shift < 0.01, `${size.width}×${size.height} ${name}: layout shift ${audit.shift.toFixed(4)} while loading`);
        assert.deepEqual(audit.unnamed, [], `${size.width}×${size.height} ${name}: controls without a name`);
        assert.deepEqual(audit.low, [], `${size.width}×${size.height} ${name}: text below AA contrast`);
      }
      // The audit finds what it looks for: a faint line and an unlabelled field added to the last page.
      await page.evaluate(`(() => {
            const host = document.getElementById('pages');
            const p = document.createElement('p'); p.textContent = 'faint line'; p.style.color = '#c8c8c8'; host.prepend(p);
            const i = document.createElement('input'); i.className = 'audit-probe'; host.prepend(i);
          })()`);
      const probed = (await page.evaluate(AUDIT)) as Audit;
      assert.ok(
        probed.low.some((l) => l.startsWith('faint line')),
        `the faint line is flagged: ${probed.low}`,
      );
      assert.ok(
        probed.unnamed.some((u) => u.includes('audit-probe')),
        `the unlabelled field is flagged: ${probed.unnamed}`,
      );
    } finally {
      await page.close();
    }
  };

  // The two screens side by side, each page a full load (one test: half the wall time of one after the other).
  it(
    `fits every page on ${LAPTOPS.map((s) => `a ${s.width}×${s.height}`).join(' and ')} screen: no sideways scroll, no layout shift, named controls, AA contrast`,
    T,
    async () => {
      const audits = await Promise.allSettled(LAPTOPS.map(auditPages));
      for (const a of audits) if (a.status === 'rejected') throw a.reason;
    },
  );
});
