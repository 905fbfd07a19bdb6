import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeServerInfo } from '../config/index.js';
import { Engine } from '../engine/index.js';
import { startServer } from '../service/index.js';
import { connect, findServer } from './index.js';

describe('connect', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('opens the home in-process when no server runs for it', async () => {
    const client = await connect({ home });
    try {
      assert.equal(client.mode, 'in-process');
      assert.equal(client.description, `no server running; using ${home} in-process`);
      await client.execute('create database conn_db; use schema conn_db.public; create table t (a int); insert into t values (7)');
      assert.equal(client.session.database?.toUpperCase(), 'CONN_DB');
    } finally {
      await client.close();
    }
  });

  it('ignores a stale server.json whose server is gone', async () => {
    await writeServerInfo({ pid: 999_999, url: 'http://127.0.0.1:9', home, version: 'x', startedAt: 'then' });
    assert.equal(await findServer(home), null);
    const client = await connect({ home });
    assert.equal(client.mode, 'in-process');
    await client.close();
  });

  it('goes through the running server when there is one, and sees what was written in-process', async () => {
    const engine = await Engine.open({ home });
    const server = await startServer(engine, { home, host: '127.0.0.1', port: 0 });
    try {
      assert.equal((await findServer(home))?.url, server.url);
      const client = await connect({ home, session: { database: 'conn_db', schema: 'public' } });
      assert.equal(client.mode, 'http');
      assert.equal(client.description, `connected to recpipe server at ${server.url}`);
      const run = await client.execute('select a from t');
      assert.deepEqual(run.results[0].rows, [[7]]);
      await client.close();
    } finally {
      await server.close();
      await engine.close();
    }
  });
});
