import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recpipe, type Outcome } from '../../../tests/support/recpipe-cli.js';

const VALUE = 'sk-cli-4b8e0d2a61f3';
const ENV_VALUE = 'sk-env-77aa90c3e5d1';

/** Runs the real CLI with `input` on stdin (a pipe, so no TTY) and extra environment variables. */
const cli = (args: string[], input = '', env: Record<string, string> = {}): Promise<Outcome> => recpipe(args, { input, env });

const neverPrinted = (o: Outcome, ...values: string[]): void => {
  for (const v of values) assert.ok(!o.stdout.includes(v) && !o.stderr.includes(v), `the value must not be printed: ${JSON.stringify(o)}`);
};

describe('recpipe secret', () => {
  let home: string;
  before(() => (home = mkdtempSync(join(tmpdir(), 'recpipe-'))));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('sets a secret from a pipe into an owner-only file, and never prints it', async () => {
    const set = await cli(['secret', 'set', 'api_key', '--home', home], `${VALUE}\n`);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, `Stored secret API_KEY in ${join(home, 'secrets.json')}\n`);
    neverPrinted(set, VALUE);
    const file = join(home, 'secrets.json');
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(
      JSON.parse(readFileSync(file, 'utf8')),
      { version: 1, secrets: { API_KEY: VALUE } },
      'the trailing newline of the pipe is not part of the value',
    );
  });

  it('lists names and sources only; the environment overrides and is listed too', async () => {
    const list = await cli(['secret', 'list', '--home', home], '', { RECPIPE_SECRET_TOKEN: ENV_VALUE });
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, 'API_KEY\tfile\nTOKEN\tenvironment\n');
    neverPrinted(list, VALUE, ENV_VALUE);
    const over = await cli(['secret', 'set', 'token', '--home', home], 'tok-file-5c1d', { RECPIPE_SECRET_TOKEN: ENV_VALUE });
    assert.match(over.stderr, /RECPIPE_SECRET_TOKEN is set in the environment and overrides the stored value/);
    neverPrinted(over, 'tok-file-5c1d', ENV_VALUE);
  });

  it('refuses a group-readable store with a clear error that shows no value', {
    skip: process.platform === 'win32' && 'POSIX permissions',
  }, async () => {
    const file = join(home, 'secrets.json');
    chmodSync(file, 0o640);
    const list = await cli(['secret', 'list', '--home', home]);
    assert.equal(list.code, 6, 'PERMISSION_DENIED exit code');
    assert.match(list.stderr, /secret store .*secrets\.json has mode 0640: group or others may read it; run 'chmod 600/);
    neverPrinted(list, VALUE, 'tok-file-5c1d');
    chmodSync(file, 0o600);
  });

  it('deletes a secret, and says so when there is none', async () => {
    const del = await cli(['secret', 'delete', 'API_KEY', '--home', home]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, 'Deleted secret API_KEY\n');
    const again = await cli(['secret', 'delete', 'API_KEY', '--home', home]);
    assert.equal(again.code, 3);
    assert.match(again.stderr, /secret API_KEY is not in .*secrets\.json/);
    const empty = await cli(['secret', 'set', 'X', '--home', home], '\n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /secret X: the value is empty; nothing was stored/);
  });
});
