import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { ApiKeyStore } from '../../auth/index.js';
import { Engine } from '../../engine/index.js';
import { authHeaders, ownerKey } from '../../../tests/support/auth.js';
import { tempDir } from '../../../tests/support/temp-engine.js';
import { createService } from '../index.js';
import { ConsoleSessions } from './console-sessions.js';
import { WorksheetStore } from './worksheets.js';

const T = { timeout: 180_000 };

describe('console routes (in-process, app.inject)', () => {
  const tmp = tempDir();
  const home = tmp.dir;
  let engine: Engine;
  let app: FastifyInstance;
  before(async () => {
    engine = await Engine.open({ home });
    app = await createService(engine, { home });
    await engine.execute(
      engine.createSession(),
      "use role accountadmin; create user carol password = 'carol-pw-1' default_role = sysadmin; grant role sysadmin to user carol",
    );
  });
  after(async () => {
    await app.close();
    await engine.close();
    tmp.remove();
  });

  const signIn = async (payload: object) => {
    const res = await app.inject({ method: 'POST', url: '/console/api/sign-in', payload });
    return { res, cookie: String(res.headers['set-cookie'] ?? '').split(';')[0], me: res.statusCode === 200 ? res.json() : null };
  };

  it('serves the page to anyone, gzipped, with a policy that loads nothing from elsewhere', T, async () => {
    const res = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(res.rawPayload).toString(), /id="sign-in-form"/);
    assert.match(res.headers['content-security-policy'] as string, /default-src 'self'.*frame-ancestors 'none'/);
    assert.equal((await app.inject('/console/console.js')).statusCode, 200);
    assert.equal((await app.inject('/console/..%2Fpackage.json')).statusCode, 404);
  });

  it('signs in with a password: an HttpOnly, SameSite=Strict cookie (not Secure over plain http) and a CSRF token', T, async () => {
    const { res, me } = await signIn({ user: 'Carol', password: 'carol-pw-1' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['set-cookie']), /^recpipe_console=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    assert.equal(me.user, 'CAROL');
    assert.equal(me.session.role, 'SYSADMIN');
    assert.equal(me.csrfToken.length, 43);
  });

  it('marks the cookie Secure when the TLS proxy in front says the request came over https', T, async () => {
    const proxied = await createService(engine, { home, tlsProxy: 'https://console.example' });
    try {
      const res = await proxied.inject({
        method: 'POST',
        url: '/console/api/sign-in',
        payload: { user: 'carol', password: 'carol-pw-1' },
        headers: { 'x-forwarded-proto': 'https' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['set-cookie']), /; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/);
    } finally {
      await proxied.close();
    }
  });

  it('refuses a wrong password, an unknown user and a wrong key alike', T, async () => {
    for (const body of [{ user: 'carol', password: 'nope' }, { user: 'nobody', password: 'carol-pw-1' }, { apiKey: 'rpk_nope' }]) {
      const { res } = await signIn(body);
      assert.equal(res.statusCode, 401, JSON.stringify(body));
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  it('signs in with an API key of a user, and refuses a key without one', T, async () => {
    const withUser = new ApiKeyStore(home).create('SYSADMIN', 'carol-key', 'CAROL').key;
    const { res, me } = await signIn({ apiKey: withUser });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(me.user, 'CAROL');
    const noUser = new ApiKeyStore(home).create('PUBLIC', 'ext-only').key;
    assert.equal((await signIn({ apiKey: noUser })).res.statusCode, 403);
    assert.equal((await signIn({ apiKey: ownerKey(home) })).me.user, 'owner');
  });

  it('runs statements with the cookie and the CSRF header; the cookie alone changes nothing and counts nowhere else', T, async () => {
    const { cookie, me } = await signIn({ user: 'carol', password: 'carol-pw-1' });
    const run = (sql: string, headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/console/api/statements', payload: { sql }, headers: { cookie, ...headers } });
    const ok = await run('create database console_db; select current_user() u', { 'x-csrf-token': me.csrfToken });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().results[1].rows, [['CAROL']]);
    assert.equal(ok.json().session.database, 'CONSOLE_DB');
    assert.equal((await run('select 1', {})).statusCode, 403);
    assert.equal((await run('select 1', { 'x-csrf-token': 'x'.repeat(43) })).statusCode, 403);
    const api = await app.inject({ method: 'POST', url: '/api/v1/statements', payload: { sql: 'select 1' }, headers: { cookie } });
    assert.equal(api.statusCode, 401);
    assert.equal(
      (await app.inject({ url: '/console/api/me', headers: { authorization: authHeaders(home).authorization } })).statusCode,
      401,
    );
  });

  it('answers a failed statement with the line the engine named', T, async () => {
    const { cookie, me } = await signIn({ user: 'carol', password: 'carol-pw-1' });
    const res = await app.inject({
      method: 'POST',
      url: '/console/api/statements',
      payload: { sql: 'select 1;\n\nselect * from console_db.public.no_such_table' },
      headers: { cookie, 'x-csrf-token': me.csrfToken },
    });
    assert.equal(res.statusCode, 404, res.body);
    assert.equal(res.json().error.line, 3);
    assert.equal(typeof res.json().elapsedMs, 'number');
  });

  it('signs out: the cookie is cleared and no longer accepted', T, async () => {
    const { cookie, me } = await signIn({ user: 'carol', password: 'carol-pw-1' });
    const out = await app.inject({ method: 'POST', url: '/console/api/sign-out', headers: { cookie, 'x-csrf-token': me.csrfToken } });
    assert.equal(out.statusCode, 200);
    assert.match(String(out.headers['set-cookie']), /^recpipe_console=; .*Max-Age=0/);
    assert.equal((await app.inject({ url: '/console/api/me', headers: { cookie } })).statusCode, 401);
  });

  it("keeps a user's worksheets in the home, owner-only, apart from other users'", T, async () => {
    const { cookie, me } = await signIn({ user: 'carol', password: 'carol-pw-1' });
    const headers = { cookie, 'x-csrf-token': me.csrfToken };
    const put = await app.inject({
      method: 'PUT',
      url: '/console/api/worksheets/w1',
      payload: { name: 'Lab 1', sql: 'select 1' },
      headers,
    });
    assert.equal(put.statusCode, 200, put.body);
    const list = await app.inject({ url: '/console/api/worksheets', headers: { cookie } });
    assert.deepEqual(
      list.json().worksheets.map((w: { name: string; sql: string }) => [w.name, w.sql]),
      [['Lab 1', 'select 1']],
    );
    const owner = await signIn({ apiKey: ownerKey(home) });
    assert.deepEqual((await app.inject({ url: '/console/api/worksheets', headers: { cookie: owner.cookie } })).json().worksheets, []);
    const store = new WorksheetStore(home);
    assert.equal(statSync(store.file).mode & 0o777, 0o600);
    assert.deepEqual(
      store.list('CAROL').map((w) => w.id),
      ['w1'],
    );
  });
});

describe('console sign-ins and worksheet store', () => {
  it('expires a sign-in after its lifetime and forgets a closed one', () => {
    let now = 1_000;
    const sessions = new ConsoleSessions(60_000, () => now);
    const caller = { user: 'A', role: 'PUBLIC', name: 'console:A', prefix: 'console:A', owner: false };
    const { token, session } = sessions.open(caller);
    assert.equal(sessions.find(token), session);
    assert.equal(ConsoleSessions.csrfMatches(session, session.csrfToken), true);
    assert.equal(ConsoleSessions.csrfMatches(session, undefined), false);
    now += 60_000;
    assert.equal(sessions.find(token), null);
    const second = sessions.open(caller);
    assert.equal(sessions.close(second.token), second.session);
    assert.equal(sessions.find(second.token), null);
  });

  it('keeps both of two saves made at once, and refuses bad ids and names', async () => {
    const tmp = tempDir();
    try {
      const store = new WorksheetStore(tmp.dir);
      await Promise.all([store.save('A', 'one', { name: 'One', sql: '1' }), store.save('A', 'two', { name: 'Two', sql: '2' })]);
      assert.deepEqual(
        new WorksheetStore(tmp.dir).list('A').map((w) => w.id),
        ['one', 'two'],
      );
      assert.throws(() => store.save('A', '../x', { name: 'X', sql: '' }), /worksheet id/);
      assert.throws(() => store.save('A', 'x', { name: ' ', sql: '' }), /worksheet name/);
      await store.remove('A', 'one');
      await assert.rejects(store.remove('A', 'one'), /not found/);
      assert.deepEqual(
        store.list('A').map((w) => w.id),
        ['two'],
      );
    } finally {
      tmp.remove();
    }
  });
});
