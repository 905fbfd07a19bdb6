import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_LINE_BYTES, unreadableText } from './copy-prescan.js';

describe('unreadableText', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-prescan-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('passes lines just under the maximum that straddle the 8 MB reads', async () => {
    const line = `${'x'.repeat(MAX_LINE_BYTES - 1)}\n`;
    assert.equal(await unreadableText(file('long-lines.csv', line.repeat(9))), null);
  });

  it('names a line over the maximum that starts in one read and ends in the next', async () => {
    const short = `${'a'.repeat(999)}\n`;
    // Line 8001 starts 8,001,000 bytes in, so its 2 MB cross the first 8 MB read.
    const text = `${short.repeat(8001)}${'b'.repeat(MAX_LINE_BYTES + 1)}\n${short}`;
    const error = await unreadableText(file('crossing.csv', text));
    assert.equal(error?.line, 8002);
    assert.match(error?.message ?? '', /line 8002 is longer/);
  });

  it('names a binary file by the line of its NUL byte', async () => {
    const error = await unreadableText(file('binary.dat', 'a,b\n1,2\n\u0000\n'));
    assert.deepEqual([error?.line, error?.character], [3, 1]);
  });
});
