import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); .ci/run installs it when missing. */
export const CHROMIUM = process.env.RECPIPE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * What the tests drive: Debian's chromium-headless-shell when installed (.ci/run installs it), else
 * CHROMIUM. The shell is the same Blink and V8 without the browser's UI layer: the console files use
 * ~30% less CPU in it (measured on the same tests). bench:console keeps the full browser.
 */
export const TEST_CHROMIUM =
  process.env.RECPIPE_CHROMIUM ?? (existsSync('/usr/bin/chromium-headless-shell') ? '/usr/bin/chromium-headless-shell' : CHROMIUM);

/**
 * Why browser tests cannot run here, or null when they can. With RECPIPE_REQUIRE_BROWSER=1 (CI) a
 * missing browser is a failure, not a skip.
 */
export function browserMissing(): string | null {
  if (existsSync(TEST_CHROMIUM)) return null;
  const why = `no browser at ${TEST_CHROMIUM}: install Debian's chromium (apt-get install -y chromium chromium-headless-shell) or set RECPIPE_CHROMIUM`;
  if (process.env.RECPIPE_REQUIRE_BROWSER === '1') throw new Error(`RECPIPE_REQUIRE_BROWSER=1 but ${why}`);
  return why;
}

/** A headless chromium driven by playwright-core; the caller closes it (in `after`, so a failure closes it too). */
export async function launchBrowser(executablePath = CHROMIUM): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 180_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/**
 * One chromium per test process, shared by the browser test files it runs in turn: a launch costs
 * ~2 CPU-s (browser, zygotes, GPU and utility processes) and each file only needs its own contexts.
 * `kept` is set by the shard runner, which closes the browser once its queue is empty; a file run on
 * its own closes it with its last user. Playwright kills a browser it launched when the process
 * exits, so a shard stopped by its watchdog leaves none behind.
 */
let shared: Promise<Browser> | undefined;
let users = 0;
let kept = false;

/**
 * The process's shared chromium (launched on first use) for one test file, which calls `release` in
 * its `after`: that closes the contexts the file opened (files in a process run one at a time).
 */
export async function useBrowser(): Promise<{ browser: Browser; release: () => Promise<void> }> {
  users++;
  if (!shared) {
    const launching = launchBrowser(TEST_CHROMIUM);
    shared = launching;
    // A browser that crashed or was closed is not handed to the next file.
    void launching.then(
      (b) => b.once('disconnected', () => shared === launching && (shared = undefined)),
      () => undefined,
    );
  }
  const launching = shared;
  let browser: Browser;
  try {
    browser = await launching;
  } catch (e) {
    if (shared === launching) shared = undefined;
    users--;
    throw e;
  }
  let released = false;
  return {
    browser,
    release: async () => {
      if (released) return;
      released = true;
      users--;
      await Promise.all(browser.contexts().map((c) => c.close()));
      if (users === 0 && !kept) await closeSharedBrowser();
    },
  };
}

/**
 * Whether the browser outlives the file that launched it, until `closeSharedBrowser` (set by the shard
 * runner); returns the previous setting.
 */
export function keepSharedBrowser(keep: boolean): boolean {
  const was = kept;
  kept = keep;
  return was;
}

export async function closeSharedBrowser(): Promise<void> {
  const closing = shared;
  shared = undefined;
  await (await closing?.catch(() => undefined))?.close();
}

/** Where browser tests leave their screenshots (not committed): `test-output/<suite>/<test>.png` under the working directory. */
export const SCREENSHOTS = process.env.RECPIPE_TEST_OUTPUT ?? join(process.cwd(), 'test-output');

/** Saves what the page shows now, named for the test, so a failure (or a page's look) can be seen afterwards. */
export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = join(SCREENSHOTS, suite);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name.replace(/[^\w.-]+/g, '-').slice(0, 80)}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  return file;
}

/**
 * A browser suite's `afterEach`: the page's picture when the test failed, or of every test with
 * RECPIPE_SCREENSHOTS=1 (each costs Chromium ~0.15 CPU-s: 5 s over the console files).
 */
export async function screenshotAfter(page: Page | undefined, suite: string, test: { name: string; passed?: boolean }): Promise<void> {
  if (page && (test.passed === false || /^(1|true|yes)$/i.test(process.env.RECPIPE_SCREENSHOTS ?? '')))
    await screenshot(page, suite, test.name);
}

/**
 * A 1280×720 page of a new browser context, signed in to the console at `url` with a user's password and
 * ready (its worksheet loaded). Uncaught exceptions and console errors (other than refused requests) are
 * pushed to `errors`, which the caller asserts empty.
 */
export async function signedInPage(browser: Browser, url: string, user: string, password: string, errors: string[]): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.setDefaultTimeout(30_000);
  await signIn(page, url, user, password);
  return page;
}

/**
 * Opens the console at `url` in `page`, signed in with a user's password unless the page's cookie still
 * holds a session (sign-ins outlive a server restart), and waits for its worksheet.
 */
export async function signIn(page: Page, url: string, user: string, password: string): Promise<void> {
  const ready = `body[data-ready="${user.toUpperCase()}"]`;
  await page.goto(`${url}/`);
  await page.waitForSelector(`${ready}, #sign-in:not([hidden])`);
  if ((await page.locator(ready).count()) === 0) {
    await page.fill('#sign-in-user', user);
    await page.fill('#sign-in-password', password);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector(ready);
  }
}
