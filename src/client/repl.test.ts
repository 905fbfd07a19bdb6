import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { homeFiles } from '../config/index.js';
import { InProcessSqlClient, promptFor, runRepl } from './index.js';
import { redactSecrets } from './repl.js';

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
    input.write("use role accountadmin;\ncreate user hist_u password = 'hunter2-secret' default_role = public;\n");
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
    assert.deepEqual(history, [
      'create database repl_db;',
      'use schema repl_db.public;',
      'select * from no_such_table;',
      'select 40 + 2 as answer ;',
      'use role accountadmin;',
      "create user hist_u password = '***' default_role = public;",
    ]);
    assert.ok(!readFileSync(historyFile, 'utf8').includes('hunter2'), 'no secret value in the history');
    assert.equal(statSync(historyFile).mode & 0o777, 0o600);
  });
});

describe('runRepl ! commands', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('!help lists the commands; !source runs a file in the session and names the file on failure', async () => {
    const client = await InProcessSqlClient.open(home);
    const script = join(home, 'setup.sql');
    writeFileSync(script, 'create database src_db;\nuse schema src_db.public;\ncreate table t (a int);\ninsert into t values (7);\n');
    const broken = join(home, 'broken.sql');
    writeFileSync(broken, 'select 1;\nselect * from nowhere;\n');
    const [input, output, errors] = [new PassThrough(), new PassThrough(), new PassThrough()];
    const [out, err] = [collect(output), collect(errors)];
    const done = runRepl(client, { input, output, errors, format: 'csv', interactive: false, historyFile: join(home, 'h') });
    input.end(`!help\n!source ${script}\nselect a * 6 as six from t;\n!source ${broken}\n!load\n!nope\n`);
    try {
      assert.equal(await done, 3);
    } finally {
      await client.close();
    }
    assert.match(out(), /!help .*\n.*!source FILE .*\n.*!exit/);
    assert.match(out(), /SIX\r?\n42/i, 'the sourced file changed the session: its schema and table are used after');
    assert.equal(client.session.database, 'SRC_DB');
    assert.ok(err().includes(`${broken}:2:`), err());
    assert.match(err(), /!load needs a file/);
    assert.match(err(), /unknown command !nope; type !help/);
  });
});

describe('redactSecrets', () => {
  it('hides api_key, password and secret values, quoted or not, and nothing else', () => {
    assert.equal(
      redactSecrets("create api integration i api_provider = x api_key = 'k-1''2' api_allowed_prefixes = ('https://a')"),
      "create api integration i api_provider = x api_key = '***' api_allowed_prefixes = ('https://a')",
    );
    assert.equal(
      redactSecrets('alter user u set PASSWORD=abc, secret_string = $$x y$$'),
      "alter user u set PASSWORD='***', secret_string = '***'",
    );
    assert.equal(redactSecrets("select 'password' as p"), "select 'password' as p");
  });
});
