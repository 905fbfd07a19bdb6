import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { browserMissing, keepSharedBrowser, SCREENSHOTS, screenshotAfter, useBrowser } from './browser.js';

describe('the shared browser', { skip: browserMissing() ?? false }, () => {
  // As when a file runs on its own, also in a shard (which keeps the browser between files).
  let kept = false;
  before(() => {
    kept = keepSharedBrowser(false);
  });
  after(() => {
    keepSharedBrowser(kept);
  });

  it('is one chromium for every user at a time, closed (contexts first) with its last user outside a shard', {
    timeout: 180_000,
  }, async () => {
    const first = await useBrowser();
    const second = await useBrowser();
    try {
      assert.equal(second.browser, first.browser, 'the second user gets the running browser');
      await first.browser.newContext();
      await first.release();
      assert.equal(first.browser.contexts().length, 0, "a release closes the file's contexts");
      assert.ok(first.browser.isConnected(), 'still open for its other user');
    } finally {
      await first.release();
      await second.release();
    }
    assert.equal(first.browser.isConnected(), false, 'closed with its last user');
  });

  it('launches another when the shared one crashed or was closed', { timeout: 180_000 }, async () => {
    const first = await useBrowser();
    const held = await useBrowser();
    try {
      await first.browser.close();
      const next = await useBrowser();
      try {
        assert.notEqual(next.browser, first.browser);
        const page = await next.browser.newPage();
        await page.setContent('<p>ok</p>');
        assert.equal(await page.textContent('p'), 'ok');
      } finally {
        await next.release();
      }
    } finally {
      await first.release();
      await held.release();
    }
  });

  it('keeps a picture of a failed test only, unless every test is asked for', { timeout: 180_000 }, async () => {
    const suite = `browser-test-${process.pid}`;
    const { browser, release } = await useBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<p>ok</p>');
      await screenshotAfter(page, suite, { name: 'passed', passed: true });
      const everyTest = /^(1|true|yes)$/i.test(process.env.RECPIPE_SCREENSHOTS ?? '');
      assert.equal(existsSync(join(SCREENSHOTS, suite, 'passed.png')), everyTest);
      await screenshotAfter(page, suite, { name: 'failed', passed: false });
      assert.ok(existsSync(join(SCREENSHOTS, suite, 'failed.png')), 'a failed test leaves its picture');
    } finally {
      await release();
      rmSync(join(SCREENSHOTS, suite), { recursive: true, force: true });
    }
  });
});
