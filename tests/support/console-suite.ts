import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { authHeaders } from './auth.js';
import { screenshotAfter, signedInPage, signIn, useBrowser } from './browser.js';
import { httpCall } from './http-call.js';
import { serveHome, type ServedHome } from './served-home.js';
import { tempDir } from './temp-engine.js';

/** A console browser suite's state: its server (replaced on a restart), browser and signed-in page. */
export interface ConsoleSuite {
  readonly home: string;
  server: ServedHome;
  browser: Browser;
  page: Page;
  /** Uncaught exceptions and console errors of the pages, asserted empty after each test. */
  readonly pageErrors: string[];
  /** SQL as the home's owner through the statements API; the last statement's rows. */
  adminSql(sql: string): Promise<unknown[][]>;
  /** Stops the server and its engine and serves the home anew, its page signed in to the new server. */
  restart(): Promise<void>;
}

/**
 * Registers the hooks of a console browser suite inside a `describe`: a server on a temp home, in this
 * process (a `recpipe server` child would add ~3 CPU-s of start-up to each file, and what a child adds is
 * tested by the CLI's own files), `setup` (the owner's SQL), a page of the process's shared chromium signed in as `user`; a screenshot and the page
 * errors checked after each test; everything stopped and removed after.
 */
export function consoleSuite(
  name: string,
  user: { name: string; password: string },
  setup: (s: ConsoleSuite) => Promise<void>,
): ConsoleSuite {
  const tmp = tempDir();
  const s = {
    home: join(tmp.dir, 'home'),
    pageErrors: [] as string[],
    async adminSql(sql: string) {
      const r = await httpCall(s.server.url, 'POST', '/api/v1/statements', authHeaders(s.home), { sql });
      assert.equal(r.status, 200, r.text);
      return (r.json().results.at(-1) as { rows: unknown[][] }).rows;
    },
    async restart() {
      await s.server.close();
      s.server = await serveHome(s.home);
      // The same page, to the new server: a new context would start another renderer (~1.5 CPU-s).
      await signIn(s.page, s.server.url, user.name, user.password);
    },
  } as ConsoleSuite;
  let release: (() => Promise<void>) | undefined;
  before(async () => {
    s.server = await serveHome(s.home);
    await setup(s);
    ({ browser: s.browser, release } = await useBrowser());
    s.page = await signedInPage(s.browser, s.server.url, user.name, user.password, s.pageErrors);
  });
  afterEach(async (t) => {
    await screenshotAfter(s.page, name, t);
    assert.deepEqual(s.pageErrors, [], 'no errors in the page');
  });
  after(async () => {
    await release?.();
    await s.server?.close();
    tmp.remove();
  });
  return s;
}

/** Waits (up to a minute) until the owner sees `endpoint` InService. */
export async function waitInService(s: ConsoleSuite, endpoint: string): Promise<void> {
  for (let i = 0; ; i++) {
    const rows = await s.adminSql('show endpoints');
    if (rows.some((r) => r[0] === endpoint && r[1] === 'InService')) return;
    assert.ok(i < 120, `endpoint not InService: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
