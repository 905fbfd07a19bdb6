import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { homeFiles } from '../config/index.js';
import { InProcessSqlClient, promptFor, runRepl } from './index.js';

const collect = (s: PassThrough) => {
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
};

describe('runRepl (interactive, in-process)', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('runs multi-line statements at ;, shows the context in the prompt, survives errors and keeps history', async () => {
    const client = await InProcessSqlClient.open(home);
    const historyFile = homeFiles(home).sqlHistory;
    const input = new PassThrough();
    const output = new PassThrough();
    const errors = new PassThrough();
    const out = collect(output);
    const err = collect(errors);
    const done = runRepl(client, { input, output, errors, format: 'csv', interactive: true, historyFile });
    input.write('create database repl_db;\nuse schema repl_db.public;\n');
    input.write('select * from no_such_table;\n');
    input.write('select 40 + 2\n  as answer\n;\n');
    input.write('!exit\n');
    input.end();
    try {
      assert.equal(await done, 1);
    } finally {
      await client.close();
    }
    const stdout = out();
    assert.match(stdout, /ANSWER\r?\n42/i);
    assert.ok(stdout.includes(promptFor(client.session)), 'the prompt shows the context after `use schema`');
    assert.match(promptFor(client.session), /@REPL_DB\.PUBLIC> $/i);
    assert.match(stdout, /-> /, 'continuation prompt for the unfinished statement');
    assert.match(err(), /error: .*no_such_table/i);
    const history = readFileSync(historyFile, 'utf8').trim().split('\n');
    assert.deepEqual(history, ['create database repl_db;', 'use schema repl_db.public;', 'select * from no_such_table;', 'select 40 + 2 as answer ;']);
  });
});
