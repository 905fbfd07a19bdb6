import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpSqlClient } from '../client/index.js';
import { homeFiles, readServerInfo } from '../config/index.js';
import { Engine } from '../engine/index.js';
import { authHeaders, ownerKey } from '../../tests/support/auth.js';
import { startServer, type RunningServer } from './index.js';

describe('service over real HTTP (127.0.0.1, port 0)', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  let engine: Engine;
  let server: RunningServer;
  before(async () => {
    engine = await Engine.open({ home });
    server = await startServer(engine, { home, host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('records itself in <home>/server.json', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const info = readServerInfo(home);
    assert.equal(info?.pid, process.pid);
    assert.equal(info?.url, server.url);
    assert.equal(info?.home, home);
  });

  it('answers malformed JSON on the socket with 400 and keeps serving', async () => {
    const res = await fetch(`${server.url}/api/v1/statements`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'application/json' },
      body: '{nope',
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'INVALID_ARGUMENT');
    const health = await fetch(`${server.url}/api/v1/health`);
    assert.equal(health.status, 200);
  });

  it('serves two clients at once; each sees the tables the other committed', async () => {
    const setup = await HttpSqlClient.open(server.url, {}, ownerKey(home));
    await setup.execute('create database shared_db');
    const [a, b] = await Promise.all([
      HttpSqlClient.open(server.url, {}, ownerKey(home)),
      HttpSqlClient.open(server.url, {}, ownerKey(home)),
    ]);
    await Promise.all([a.execute('use schema shared_db.public'), b.execute('use schema shared_db.public')]);
    const make = (c: HttpSqlClient, table: string, n: number) =>
      c.execute(
        `create table ${table} (k int); insert into ${table} select * from (values ${Array.from({ length: n }, (_, i) => `(${i})`).join(', ')})`,
      );
    await Promise.all([make(a, 'from_a', 3), make(b, 'from_b', 5)]);
    const [seenByA, seenByB] = await Promise.all([a.execute('select count(*) from from_b'), b.execute('select count(*) from from_a')]);
    assert.equal(Number(seenByA.results[0].rows[0][0]), 5);
    assert.equal(Number(seenByB.results[0].rows[0][0]), 3);
    assert.notEqual(a.session.id, b.session.id);
  });

  it('re-raises server errors in the client with their code', async () => {
    const c = await HttpSqlClient.open(server.url, {}, ownerKey(home));
    await assert.rejects(
      c.execute('select * from shared_db.public.missing_table'),
      (e: Error & { code?: string }) => e.code === 'NOT_FOUND',
    );
  });

  it('removes server.json when it stops', async () => {
    const other = mkdtempSync(join(tmpdir(), 'recpipe-'));
    try {
      const s = await startServer(engine, { home: other, host: '127.0.0.1', port: 0 });
      assert.ok(existsSync(homeFiles(other).serverInfo));
      await s.close();
      assert.ok(!existsSync(homeFiles(other).serverInfo));
      await assert.rejects(fetch(`${s.url}/api/v1/health`));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
