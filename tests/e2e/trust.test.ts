import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiKeyStore, ownerTokenFile } from '../../src/auth/index.js';
import { authHeaders } from '../support/auth.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { httpCall, type Reply } from '../support/http-call.js';
import { cleanEnv } from '../support/recpipe-cli.js';
import { serveHome, type ServedHome } from '../support/served-home.js';
import { repoRoot } from '../support/shared-data.js';
import { tempDir } from '../support/temp-engine.js';

const SECRET = 'TOPSECRET-7f3a9';

/**
 * The server runs in the test process (what is checked is its answers over loopback HTTP); the one check
 * about the process itself, what `recpipe server` prints when bound beyond loopback, starts a child.
 */
describe('trust over a real server on loopback: identity, file access, stages, limits', () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  const files = join(tmp.dir, 'files');
  const outside = join(tmp.dir, 'outside');
  let server: ServedHome;
  let owner: Record<string, string>;
  let reader = '';
  let sysadmin = '';

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> =>
    httpCall(server.url, method, path, headers, body);
  const keyHeaders = (key: string): Record<string, string> => ({ 'x-api-key': key });
  const sql = (headers: Record<string, string>, text: string, sessionId?: string) =>
    call('POST', '/api/v1/statements', headers, { sql: text, ...(sessionId ? { sessionId } : {}) });
  const ok = async (headers: Record<string, string>, text: string, sessionId?: string) => {
    const r = await sql(headers, text, sessionId);
    assert.equal(r.status, 200, `${text}: ${r.text}`);
    return r.json();
  };

  before(async () => {
    mkdirSync(files, { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(files, 'a.csv'), 'alpha\nbeta\n');
    mkdirSync(join(files, 'sub'));
    writeFileSync(join(files, 'sub', 'b.csv'), 'gamma\n');
    writeFileSync(join(outside, 'secret.csv'), `${SECRET}\n`);
    symlinkSync(join(outside, 'secret.csv'), join(files, 'leak.csv'));
    server = await serveHome(home);
    owner = authHeaders(home);
    await ok(
      owner,
      `create database trust_db; create table trust_db.public.t (v varchar); use role accountadmin; create user trust_sys default_role = sysadmin; grant role sysadmin to user trust_sys`,
    );
    const created = await recpipeInProcess(['keys', 'create', '--role', 'public', '--name', 'reader', '--home', home]);
    assert.equal(created.code, 0, created.stderr);
    reader = created.stdout.trim();
    sysadmin = new ApiKeyStore(home).create('SYSADMIN', 'sys', 'TRUST_SYS').key;
  });

  after(async () => {
    await server?.close();
    tmp.remove();
  });

  it('answers 401 on every route without a credential (or with a wrong one), except health and endpoint ping', async () => {
    const doc = (await call('GET', '/openapi.json', owner)).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => [m.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x')] as const),
    );
    assert.ok(routes.length >= 15, `the document lists the routes (${routes.length})`);
    let refused = 0;
    for (const [method, path] of [...routes, ['GET', '/openapi.json'] as const, ['GET', '/no/such/route'] as const]) {
      const open = (method === 'GET' && path === '/api/v1/health') || (method === 'GET' && /^\/endpoints\/x\/ping$/.test(path));
      for (const headers of [{}, { authorization: 'Bearer rpk_000000000000_' + 'A'.repeat(43) }, { 'x-api-key': 'nope' }] as Record<
        string,
        string
      >[]) {
        const r = await call(method, path, headers, method === 'POST' || method === 'PUT' ? {} : undefined);
        if (open) assert.notEqual(r.status, 401, `${method} ${path} is open`);
        else {
          assert.equal(r.status, 401, `${method} ${path} without a valid key: ${r.status} ${r.text}`);
          assert.equal(r.json().error.code, 'UNAUTHENTICATED');
          refused++;
        }
      }
    }
    assert.ok(refused >= 45);
    assert.equal(statSync(ownerTokenFile(home)).mode & 0o777, 0o600);
  });

  it('starts a key in its user default role; a PUBLIC-only user cannot use role accountadmin', async () => {
    const first = await ok(keyHeaders(reader), 'select 1');
    assert.equal(first.session.role, 'PUBLIC');
    const r = await sql(keyHeaders(reader), 'use role accountadmin', first.sessionId);
    assert.equal(r.status, 403);
    assert.match(r.json().error.message, /Requested role 'ACCOUNTADMIN' is not assigned to the executing user/);
    const asked = await call('POST', '/api/v1/sessions', keyHeaders(reader), { role: 'SYSADMIN' });
    assert.equal(asked.status, 403, asked.text);
    const sys = await ok(keyHeaders(sysadmin), 'use role sysadmin');
    assert.equal(sys.session.role, 'SYSADMIN');
    assert.equal((await sql(keyHeaders(sysadmin), 'use role accountadmin', sys.sessionId)).status, 403);
    // Another caller's session is not found, whoever asks.
    assert.equal((await sql(keyHeaders(reader), 'select 1', sys.sessionId)).status, 404);
    const extOnly = new ApiKeyStore(home).create('SYSADMIN', 'ext-only').key;
    const refused = await sql(keyHeaders(extOnly), 'select 1');
    assert.equal(refused.status, 403);
    assert.match(refused.json().error.message, /no user and may only call \/ext/);
  });

  it('refuses every file function and form for every role: none reads a host file or a file of the home', async () => {
    const secret = join(outside, 'secret.csv');
    const inHome = [
      join(home, 'api-keys.json'),
      ownerTokenFile(home),
      join(home, 'databases', 'TRUST_DB.duckdb'),
      join(home, 'recpipe.duckdb'),
    ];
    const attempts: Array<[string, string]> = [
      ['read_text', `select content from read_text('${secret}')`],
      ['read_text', `select content from read_text('/etc/passwd')`],
      ['read_text', `select * from "read_text"('${secret}')`],
      ['read_csv', `select * from read_csv('${secret}')`],
      ['read_csv', `select * from read_csv_auto('${secret}')`],
      ['read_csv', `select * from sniff_csv('${secret}')`],
      ['read_blob', `select content from read_blob('${secret}')`],
      ['glob', `select * from glob('/etc/*')`],
      ['glob', `select * from glob('${home}/*')`],
      ['read_json', `select * from read_json('${secret}')`],
      ['read_json', `select * from read_json_auto('${secret}')`],
      ['read_json', `select * from read_ndjson('${secret}')`],
      ['read_parquet', `select * from read_parquet('${secret}')`],
      ['read_parquet', `select * from parquet_scan('${secret}')`],
      ['file as table', `select * from '${secret}'`],
      ['file as table', `select * from trust_db.public.t, '${secret}'`],
      ['file as table', `select * from trust_db.public.t join '${secret}' on true`],
      ['copy to', `copy (select 1) to '${join(outside, 'out.csv')}'`],
      ['export/import', `export database '${join(outside, 'exp')}'`],
      ['export/import', `import database '${outside}'`],
      ['install/load', 'install httpfs'],
      ['install/load', 'load httpfs'],
      ['attach/detach', `attach '${join(outside, 'evil.duckdb')}' as evil`],
      ['attach/detach', 'detach trust_db'],
      // SET name = value is a Snowflake session variable: it must not reach DuckDB's settings.
      ['set/pragma', `set enable_external_access = true; set lock_configuration = false; select content from read_text('${secret}')`],
      ['set/pragma', `set allowed_directories = ['/']; select * from read_csv('${secret}')`],
      ['set/pragma', 'reset enable_external_access'],
      ['set/pragma', 'pragma enable_external_access'],
      ['httpfs url', `select * from read_csv('https://example.com/x.csv')`],
      ['sql text', `select * from query('select * from read_text(''${secret}'')')`],
      ['nested', `create table trust_db.public.leak as select content from read_text('${secret}')`],
      ['nested', `create view trust_db.public.leakv as select * from read_csv('${secret}')`],
      ['nested', `insert into trust_db.public.t select content from read_text('${secret}')`],
      ['nested', `with a as (select content from read_blob('${secret}')) select * from a`],
      ...inHome.map((f): [string, string] => ['home files', `select content from read_blob('${f}')`]),
    ];
    assert.ok(attempts.length >= 25);
    const table = new Map<string, { tried: number; refused: number }>();
    for (const [who, headers] of [
      ['owner (ACCOUNTADMIN)', owner],
      ['SYSADMIN key', keyHeaders(sysadmin)],
      ['PUBLIC key', keyHeaders(reader)],
    ] as const) {
      for (const [kind, text] of attempts) {
        const r = await sql(headers, who.startsWith('owner') ? `use role accountadmin; ${text}` : text);
        const row = table.get(kind) ?? { tried: 0, refused: 0 };
        row.tried++;
        if (r.status !== 200 && !r.text.includes(SECRET) && !r.text.includes('root:x:0')) row.refused++;
        table.set(kind, row);
        assert.notEqual(r.status, 200, `${who}: ${text} → ${r.text.slice(0, 300)}`);
        assert.ok(!r.text.includes(SECRET) && !/rpk_|rpo_/.test(r.text), `${who}: ${text} leaked: ${r.text.slice(0, 300)}`);
      }
    }
    for (const [kind, { tried, refused }] of table) assert.equal(refused, tried, kind);
    console.log(
      'attempts tried / refused, by class:\n' + [...table].map(([k, v]) => `  ${k.padEnd(16)} ${v.tried} / ${v.refused}`).join('\n'),
    );
    const count = await ok(owner, 'select count(*) from trust_db.public.t');
    assert.equal(count.results[0].rows[0][0], 0, 'nothing was inserted');
  });

  it('loads files through stages only, inside the stage; a host path in COPY is the owner’s alone', async () => {
    const url = `file://${files}/`;
    const refused = await sql(keyHeaders(sysadmin), `create stage trust_db.public.s url = '${url}'`);
    assert.equal(refused.status, 403, 'a stage with a URL needs ACCOUNTADMIN');
    await ok(
      owner,
      `use role accountadmin; create stage trust_db.public.s url = '${url}' file_format = (type = csv); grant read on stage trust_db.public.s to role sysadmin`,
    );
    const listed = await ok(keyHeaders(sysadmin), 'list @trust_db.public.s/sub');
    assert.deepEqual(
      listed.results[0].rows.map((r: unknown[]) => r[0]),
      ['s/sub/b.csv'],
    );
    assert.equal((await sql(keyHeaders(reader), 'list @trust_db.public.s')).status, 404, 'PUBLIC has no READ on the stage');
    const loaded = await ok(keyHeaders(sysadmin), "copy into trust_db.public.t from @trust_db.public.s files = ('a.csv')");
    assert.equal(loaded.results[0].rows[0][3], 2);
    for (const outside of [
      '@trust_db.public.s/../outside/secret.csv',
      '@trust_db.public.s/leak.csv',
      '@trust_db.public.s',
      '@~/../../../../etc/passwd',
    ]) {
      const r = await sql(keyHeaders(sysadmin), `copy into trust_db.public.t from ${outside}`);
      assert.ok(r.status === 403 || r.status === 404, `${outside}: ${r.text}`);
      assert.ok(!r.text.includes(SECRET));
    }
    const hostPath = await sql(keyHeaders(sysadmin), `copy into trust_db.public.t from 'file://${join(outside, 'secret.csv')}'`);
    assert.equal(hostPath.status, 403);
    assert.match(hostPath.json().error.message, /only the home's owner/);
    await ok(owner, `copy into trust_db.public.t from 'file://${join(files, 'sub', 'b.csv')}'`);
    await ok(owner, `put 'file://${join(files, 'a.csv')}' @~/in; copy into trust_db.public.t from @~/in`);
    assert.equal(
      (await sql(keyHeaders(sysadmin), `put 'file://${join(files, 'a.csv')}' @~`)).status,
      403,
      'PUT of a server path is the owner’s',
    );
    const rows = await ok(owner, 'select v from trust_db.public.t order by v');
    assert.deepEqual(
      rows.results[0].rows.map((r: unknown[]) => r[0]),
      ['alpha', 'alpha', 'beta', 'beta', 'gamma'],
    );
  });

  it('deploys models by reference only, with one answer for every other path, existing or not', async () => {
    const refs = [
      'file:///etc',
      '/etc',
      '../../../etc',
      'train-../../x',
      `file://${outside}`,
      `file://${join(home, 'artifacts', '..', 'databases')}`,
      '/no/such/dir',
      '@trust_db.public.s/../../outside',
      '@trust_db.public.nope/x',
    ];
    const answers = new Set<string>();
    for (const ref of refs) {
      const r = await sql(owner, `select deploy_model('m', '${ref}')`);
      assert.equal(r.status, 400, `${ref}: ${r.text}`);
      const ext = await call('POST', '/ext/deploy', keyHeaders(sysadmin), { data: [[0, 'm', ref]] });
      assert.equal(ext.status, 400, `${ref} via /ext/deploy: ${ext.text}`);
      for (const message of [r.json().error.message as string, ext.json().error.message as string])
        answers.add(
          message
            .split('\n')[0]
            .replace(ref, '<ref>')
            .replace(/^.*?model reference/, 'model reference'),
        );
    }
    assert.equal(answers.size, 1, [...answers].join('\n'));
    assert.match([...answers][0], /is not deployable: give a training job name/);
  });

  it('bounds statements per request and SQL size (413), keeps serving', async () => {
    const many = await sql(owner, 'select 1;'.repeat(2001));
    assert.equal(many.status, 413, many.text.slice(0, 200));
    assert.match(many.json().error.message, /2001 statements; at most 2000/);
    const huge = await sql(owner, `select '${'x'.repeat(4 * 1024 * 1024)}'`);
    assert.equal(huge.status, 413);
    assert.equal((await ok(owner, 'select 42')).results[0].rows[0][0], 42);
  });

  it('says where it listens and warns when bound beyond loopback without a TLS proxy', { timeout: 180_000 }, async () => {
    const other = join(tmp.dir, 'wide');
    const child = spawn(
      process.execPath,
      [join(repoRoot(), 'bin', 'recpipe.js'), 'server', '--home', other, '--host', '0.0.0.0', '--port', '0'],
      { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      let err = '';
      await new Promise<void>((resolve, reject) => {
        const check = () => out.includes('OpenAPI document:') && err.includes('warning') && resolve();
        child.stderr.on('data', (d: Buffer) => ((err += d.toString()), check()));
        child.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
        child.on('close', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      assert.match(out, /listening at http:\/\/127\.0\.0\.1:\d+ \(bound to 0\.0\.0\.0:\d+;/);
      assert.match(err, /warning: listening on 0\.0\.0\.0:\d+, reachable from other machines, and no TLS proxy is named/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('the CLI on the home authenticates without ceremony; other clients pass --key', async () => {
    const mine = await recpipeInProcess(['sql', '--home', home, '--format', 'csv', '-q', 'select 1 as r']);
    assert.equal(mine.code, 0, mine.stderr);
    assert.match(mine.stderr, /connected to recpipe server/);
    const asReader = await recpipeInProcess([
      'sql',
      '--server',
      server.url,
      '--key',
      reader,
      '--home',
      join(tmp.dir, 'elsewhere'),
      '--format',
      'csv',
      '-q',
      'use role sysadmin',
    ]);
    assert.notEqual(asReader.code, 0);
    assert.match(asReader.stderr, /not assigned to the executing user/);
    assert.ok(readFileSync(join(home, 'api-keys.json'), 'utf8').includes('KEYS_PUBLIC'));
    // PUT through the CLI uploads the client's file into the user's own stage, which its role then loads from.
    const put = await recpipeInProcess([
      'sql',
      '--server',
      server.url,
      '--key',
      sysadmin,
      '--home',
      join(tmp.dir, 'elsewhere'),
      '--format',
      'csv',
      '-q',
      `put 'file://${join(files, 'sub', 'b.csv')}' @~/up; list @~; copy into trust_db.public.t from @~/up`,
    ]);
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /~\/up\/b\.csv/);
    assert.equal(statSync(join(home, 'stages', 'users', 'TRUST_SYS', 'up', 'b.csv')).mode & 0o777, 0o600);
  });
});
