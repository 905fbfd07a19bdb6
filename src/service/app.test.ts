import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../engine/index.js';
import { authHeaders } from '../../tests/support/auth.js';
import { ERROR_STATUS } from '../util/error-status.js';
import { createService, type StatementsResponse } from './index.js';

describe('service (in-process, app.inject)', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  const auth = authHeaders(home);
  let engine: Engine;
  let app: FastifyInstance;
  before(async () => {
    engine = await Engine.open({ home });
    app = await createService(engine, { home, version: '9.9.9' });
  });
  after(async () => {
    await app.close();
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  });

  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object, headers: auth });
  const run = async (sql: string, sessionId?: string) => {
    const res = await post('/api/v1/statements', sessionId === undefined ? { sql } : { sql, sessionId });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<StatementsResponse>();
  };

  it('reports health with home, pid and version', async () => {
    const res = await app.inject('/api/v1/health');
    assert.deepEqual(res.json(), { status: 'ok', home, pid: process.pid, version: '9.9.9' });
  });

  it('runs several statements in a new session and keeps its `use schema` state across requests', async () => {
    const first = await run(
      "create database svc_db; use schema svc_db.public; create table pairs (a int, b varchar); insert into pairs values (1, 'x'), (2, 'y');",
    );
    assert.equal(first.results.length, 4);
    assert.equal(first.session.id, first.sessionId);
    assert.equal(first.session.database?.toUpperCase(), 'SVC_DB');
    assert.equal(first.session.schema?.toUpperCase(), 'PUBLIC');

    const second = await run('select a, b from pairs order by a', first.sessionId);
    assert.equal(second.sessionId, first.sessionId);
    const [query] = second.results;
    assert.equal(query.kind, 'query');
    assert.deepEqual(
      query.columns.map((c) => c.name.toUpperCase()),
      ['A', 'B'],
    );
    assert.deepEqual(query.rows, [
      [1, 'x'],
      [2, 'y'],
    ]);
    assert.equal(query.rowCount, 2);

    const other = await run('select 1 as one');
    assert.notEqual(other.sessionId, first.sessionId, 'a request without sessionId gets a session of its own');
    assert.notEqual(other.session.database?.toUpperCase(), 'SVC_DB');
  });

  it('binds values to ? placeholders', async () => {
    const { results } = (await post('/api/v1/statements', { sql: 'select ? + 1 as n', bindings: [41] })).json<StatementsResponse>();
    assert.equal(Number(results[0].rows[0][0]), 42);
  });

  it('creates and reads sessions, 404 for unknown ones', async () => {
    const created = await post('/api/v1/sessions', {});
    assert.equal(created.statusCode, 201);
    const session = created.json<{ id: string; role: string }>();
    assert.ok(session.id && session.role);
    const bodyless = await app.inject({ method: 'POST', url: '/api/v1/sessions', headers: auth });
    assert.equal(bodyless.statusCode, 201, bodyless.body);
    assert.notEqual(bodyless.json<{ id: string }>().id, session.id);
    assert.deepEqual((await app.inject({ url: `/api/v1/sessions/${session.id}`, headers: auth })).json(), session);
    const missing = await app.inject({ url: '/api/v1/sessions/nope', headers: auth });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'NOT_FOUND');
    assert.match(missing.json().error.message, /nope/);
  });

  it('maps statement errors through the status table', async () => {
    const res = await post('/api/v1/statements', { sql: 'select * from svc_db.public.no_such_table' });
    const { error } = res.json<{ error: { code: keyof typeof ERROR_STATUS; message: string } }>();
    assert.equal(res.statusCode, ERROR_STATUS[error.code].http);
    assert.equal(res.statusCode, 404, error.message);
    assert.match(error.message, /no_such_table/i);
    const unknownSession = await post('/api/v1/statements', { sql: 'select 1', sessionId: 'gone' });
    assert.equal(unknownSession.statusCode, 404);
  });

  it('answers malformed JSON with 400 and keeps serving', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/statements',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"sql": "select 1",',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'INVALID_ARGUMENT');
    assert.match(res.json().error.message, /JSON/);
    assert.equal((await run('select 1 as one')).results[0].rows[0][0], 1);
  });

  it('validates bodies strictly: no type coercion, no unknown fields', async () => {
    for (const payload of [{ sql: 1 }, { sql: 'select 1', bindings: 'x' }, { sql: 'select 1', sesionId: 'typo' }, {}, { sql: '' }]) {
      const res = await post('/api/v1/statements', payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error.code, 'INVALID_ARGUMENT');
    }
    const typo = await post('/api/v1/statements', { sql: 'select 1', sesionId: 'x' });
    assert.match(typo.json().error.message, /body\.sesionId is not a known field/);
  });

  it('answers unknown routes with a NOT_FOUND error body', async () => {
    const res = await app.inject({ url: '/api/v1/nothing-here', headers: auth });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'NOT_FOUND');
  });

  it('publishes an OpenAPI document of its routes', async () => {
    const doc = (await app.inject({ url: '/openapi.json', headers: auth })).json<{
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, unknown>>;
    }>();
    assert.equal(doc.openapi, '3.0.3');
    assert.equal(doc.info.version, '9.9.9');
    assert.ok(doc.paths['/api/v1/statements']?.post);
    assert.ok(doc.paths['/api/v1/sessions']?.post);
    assert.ok(doc.paths['/api/v1/sessions/{id}']?.get);
    assert.ok(doc.paths['/api/v1/health']?.get);
  });
});
