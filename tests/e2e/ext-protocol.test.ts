import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { ApiKeyStore, Authenticator } from '../../src/auth/index.js';
import { inHomeStore } from '../support/home-artifact.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { Engine } from '../../src/engine/index.js';
import { endpointFixture, type EndpointFixture } from '../support/endpoint-test-fixture.js';
import { createService, DEFAULT_LIMITS, requireCaller, SessionStore, type ServiceContext } from '../../src/service/index.js';
import { JobWatch } from '../../src/service/job-watch.js';
import { externalFunctionArea } from '../../src/service/routes/external-functions.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: each test reads its own shape of the protocol's JSON
  json: () => any;
}

/** One HTTP exchange over a real socket; the body is returned as sent (no automatic gunzip). */
function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
/** The secret part of `rpk_<12 hex>_<secret>` (the secret may itself contain '_'). */
const secretOf = (key: string): string => key.slice('rpk_'.length + 13);

describe('Snowflake external-function protocol over HTTP (/ext/*)', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  const logs: string[] = [];
  let fx: EndpointFixture;
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;
  let admin: string;
  let publicKey: string;
  let post: (path: string, body: unknown, headers?: Record<string, string>) => Promise<Answer>;

  before(async () => {
    fx = await endpointFixture();
    engine = await Engine.open({ home });
    const keys = new ApiKeyStore(home);
    admin = keys.create('SYSADMIN', 'gateway').key;
    publicKey = keys.create('PUBLIC', 'reader').key;
    app = await createService(engine, { home, logger: { level: 'trace', stream: { write: (line: string) => void logs.push(line) } } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    post = (path, body, headers = {}) =>
      call(
        base,
        'POST',
        path,
        { ...json, 'x-api-key': admin, ...headers },
        typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      );
    engine.endpoints.deploy('movies', fx.v1.uri);
    engine.endpoints.deploy('movies2', fx.v2.uri);
    await engine.endpoints.waitFor('movies', 'InService');
    await engine.endpoints.waitFor('movies2', 'InService');
    const session = engine.createSession();
    await engine.execute(
      session,
      'create database movielens; create table movielens.public.ratings (userid int, movieid int, rating double)',
    );
    const values = Array.from({ length: 60 }, (_, k) => `(${1 + (k % 6)}, ${100 + ((k * 7) % 13)}, ${1 + (k % 5)})`).join(', ');
    await engine.execute(session, `insert into movielens.public.ratings values ${values}`);
  });

  after(async () => {
    await app.close();
    for (const j of engine.jobs.list()) await engine.jobs.wait(j.name).catch(() => undefined);
    await engine.close();
    fx.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it('invoke: one output row per input row, in order, row numbers echoed, NULLs → null, models grouped', async () => {
    const rows = [
      [5, 'movies', '1', '100'],
      [2, 'movies2', 'alice', 'The Matrix'],
      [9, 'movies', null, '101'],
      [0, null, '1', '100'],
      [7, 'movies', 'alice', '105'],
    ];
    const res = await post(
      '/ext/invoke',
      { data: rows },
      {
        'sf-external-function-format': 'json',
        'sf-external-function-format-version': '1.0',
        'sf-external-function-current-query-id': 'q1',
      },
    );
    assert.equal(res.status, 200, res.text);
    const { data } = res.json();
    assert.deepEqual(
      data.map((r: unknown[]) => r[0]),
      [5, 2, 9, 0, 7],
    );
    assert.ok(Math.abs(data[0][1] - fx.v1.predictor.predict('1', '100')) < 1e-5);
    assert.ok(Math.abs(data[1][1] - fx.v2.predictor.predict('alice', 'The Matrix')) < 1e-5);
    assert.equal(data[2][1], null);
    assert.equal(data[3][1], null);
    assert.ok(Math.abs(data[4][1] - fx.v1.predictor.predict('alice', '105')) < 1e-5);
  });

  it('recommend: top-k per row; an unknown endpoint fails the batch with its name', async () => {
    const res = await post('/ext/recommend', {
      data: [
        [0, 'movies', 'alice', 3],
        [1, 'movies', null, 3],
      ],
    });
    assert.equal(res.status, 200, res.text);
    const { data } = res.json();
    assert.equal(data[0][1].length, 3);
    assert.equal(data[1][1], null);
    const missing = await post('/ext/recommend', { data: [[0, 'nope', '1', 3]] });
    assert.equal(missing.status, 404);
    assert.match(missing.json().error.message, /Could not find endpoint nope/);
  });

  it('train: resolves tables against the sf-context headers; a retried batch id starts one job only', async () => {
    const before = engine.jobs.list().length;
    const body = {
      data: [
        [0, 'ratings', 'recs_a', { folds: 0 }],
        [1, null, 'recs_b'],
      ],
    };
    const noContext = await post('/ext/train', body);
    assert.equal(noContext.status, 409);
    assert.match(noContext.json().error.message, /row 0: .*current database/);
    const headers = {
      'sf-external-function-query-batch-id': 'batch-train-1',
      'sf-context-current-database': 'MOVIELENS',
      'sf-context-current-schema': 'PUBLIC',
    };
    const first = await post('/ext/train', body, headers);
    assert.equal(first.status, 200, first.text);
    const [[row, job], [row1, none]] = first.json().data;
    assert.equal(row, 0);
    assert.equal(job.InputTable, 'MOVIELENS.PUBLIC.RATINGS');
    assert.equal(job.OutputTable, 'MOVIELENS.PUBLIC.RECS_A');
    assert.deepEqual([row1, none], [1, null]);
    const retry = await post('/ext/train', body, headers);
    assert.equal(retry.status, 200);
    assert.equal(retry.text, first.text, 'the retry gets the stored answer');
    assert.equal(engine.jobs.list().length, before + 1, 'exactly one job was started');
    const reused = await post('/ext/train', { data: [[0, 'ratings', 'recs_c']] }, headers);
    assert.equal(reused.status, 409, 'a different body under the same batch id is refused');
    const databaseOnly = await post(
      '/ext/train',
      { data: [[0, 'ratings', 'recs_d', { folds: 0 }]] },
      { 'sf-context-current-database': 'MOVIELENS' },
    );
    assert.equal(databaseOnly.status, 200, databaseOnly.text);
    assert.equal(databaseOnly.json().data[0][1].InputTable, 'MOVIELENS.PUBLIC.RATINGS', 'a database alone means its PUBLIC schema');
  });

  it('gzip request bodies are accepted and large answers are gzipped when the caller accepts it', async () => {
    const rows = Array.from({ length: 300 }, (_, r) => [r, 'movies', String(1 + (r % 19)), String(100 + (r % 29))]);
    const zipped = gzipSync(JSON.stringify({ data: rows }));
    const res = await call(
      base,
      'POST',
      '/ext/invoke',
      { ...json, 'content-encoding': 'gzip', 'accept-encoding': 'gzip', 'x-api-key': admin },
      zipped,
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.ok(res.raw.length < res.text.length);
    const { data } = res.json();
    assert.equal(data.length, 300);
    assert.ok(Math.abs(data[42][1] - fx.v1.predictor.predict(rows[42][2], rows[42][3])) < 1e-5);
    const plain = await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': admin }, JSON.stringify({ data: rows }));
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.text, res.text);
  });

  it('async mode: 202 at once, GET polls with the same headers answer 202 until the endpoint is InService, then 200', async () => {
    const headers = { 'sf-external-function-query-batch-id': 'deploy-async-1', 'sf-custom-async': 'true' };
    const res = await post('/ext/deploy', { data: [[0, 'movies3', inHomeStore(home, fx.v2.uri), { wait: true }]] }, headers);
    assert.equal(res.status, 202);
    assert.equal(res.text, '{}');
    let poll: Answer;
    let polls = 0;
    do {
      poll = await call(base, 'GET', '/ext/deploy', { 'x-api-key': admin, ...headers });
      polls++;
      if (poll.status === 202) await new Promise((r) => setTimeout(r, 10));
    } while (poll.status === 202 && polls < 500);
    assert.equal(poll.status, 200, poll.text);
    const [[row, d]] = poll.json().data;
    assert.equal(row, 0);
    assert.equal(d.EndpointName, 'movies3');
    assert.equal(d.EndpointStatus, 'InService');
    assert.equal(engine.endpoints.describe('movies3').status, 'InService');
    const failing = { 'sf-external-function-query-batch-id': 'deploy-async-2', 'sf-custom-async': 'true' };
    assert.equal(
      (await post('/ext/deploy', { data: [[0, 'broken', inHomeStore(home, fx.corruptUri), { wait: true }]] }, failing)).status,
      202,
    );
    do poll = await call(base, 'GET', '/ext/deploy', { 'x-api-key': admin, ...failing });
    while (poll.status === 202);
    assert.equal(poll.status, 409, 'the poll reports how the batch failed');
    assert.match(poll.json().error.message, /Endpoint broken failed/);
    const unknown = await call(base, 'GET', '/ext/deploy', { 'x-api-key': admin, 'sf-external-function-query-batch-id': 'never-sent' });
    assert.equal(unknown.status, 404);
  });

  it('malformed requests get 400 with a message naming the problem, and start nothing', async () => {
    const jobs = engine.jobs.list().length;
    const cases: [string, string | Buffer, RegExp, Record<string, string>?][] = [
      ['/ext/invoke', '{"data": [[0, "movies"', /not valid JSON/],
      ['/ext/invoke', '{"rows": []}', /no "data" field/],
      ['/ext/invoke', '{"data": [1, 2]}', /data\[0\] must be an array/],
      ['/ext/invoke', '{"data": [["a", "movies", 1, 2]]}', /row number\) must be a number/],
      ['/ext/invoke', '{"data": [[0, "movies", 1, 2], [4, "movies", 1]]}', /row 4 \(data\[1\]\) has 2 arguments; invoke_model takes 3/],
      ['/ext/train', '{"data": [[0, "movielens.public.ratings"]]}', /train_and_get_recommendations takes 2 to 3/],
      ['/ext/train', '{"data": [[0, "movielens.public.ratings", "x; drop table y"]]}', /row 0: /],
      ['/ext/invoke', Buffer.from('not gzip at all'), /not valid gzip/, { 'content-encoding': 'gzip' }],
      ['/ext/invoke', '', /request body is empty/],
      [
        '/ext/invoke',
        '{"data": [[0, {"a": 1}, "1", "100"]]}',
        /row 0: model_name must be a string/,
        { 'sf-custom-async': 'true', 'sf-external-function-query-batch-id': 'bad-async' },
      ],
      ['/ext/deploy', '{"data": [[0, "m", "file:///x", {"wait": "yes"}]]}', /wait must be true or false/],
    ];
    for (const [path, body, pattern, headers] of cases) {
      const res = await post(path, body, headers);
      assert.ok(res.status === 400, `${path} ${String(body)} → ${res.status} ${res.text}`);
      assert.match(res.json().error.message, pattern);
    }
    assert.equal(engine.jobs.list().length, jobs);
  });

  it('a request body over 10 MB is refused with 413 naming the limit', async () => {
    const big = `{"data":[[0,"movies","1","${'9'.repeat(10_000_100)}"]]}`;
    const res = await post('/ext/invoke', big);
    assert.equal(res.status, 413);
    assert.equal(res.json().error.code, 'RESOURCE_EXHAUSTED');
    assert.match(res.json().error.message, /limit/i);
    const bomb = gzipSync(Buffer.alloc(11_000_000, 32));
    const inflated = await post('/ext/invoke', bomb, { 'content-encoding': 'gzip' });
    assert.equal(inflated.status, 413);
    assert.match(inflated.json().error.message, /10 MB batch limit/);
  });

  it('authenticates every request: 401 without or with a wrong key, 403 for a role without usage; keys never logged', async () => {
    const body = JSON.stringify({ data: [[0, 'movies', '1', '100']] });
    const none = await call(base, 'POST', '/ext/invoke', json, body);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    assert.match(none.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(none.json()), ['error'], 'errors have the one shape of the service');
    assert.equal(none.json().error.code, 'UNAUTHENTICATED');
    assert.match(none.json().error.message, /API key is required/);
    const wrong = await call(base, 'POST', '/ext/invoke', { ...json, authorization: `Bearer ${admin.slice(0, -2)}xx` }, body);
    assert.equal(wrong.status, 401);
    const bearer = await call(base, 'POST', '/ext/invoke', { ...json, authorization: `Bearer ${admin}` }, body);
    assert.equal(bearer.status, 200);
    const reader = await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': publicKey }, body);
    assert.equal(reader.status, 403);
    assert.deepEqual(Object.keys(reader.json().error), ['code', 'message']);
    assert.equal(reader.json().error.code, 'PERMISSION_DENIED');
    assert.match(reader.json().error.message, /role PUBLIC, which lacks USAGE on function INVOKE_MODEL/);
    await engine.execute(engine.createSession(), 'grant usage on function invoke_model(varchar, varchar, varchar) to role public');
    assert.equal(
      (await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': publicKey }, body)).status,
      200,
      'a SQL grant reaches the key',
    );
    await engine.execute(engine.createSession(), 'revoke usage on function invoke_model(varchar, varchar, varchar) from role public');
    assert.equal((await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': publicKey }, body)).status, 403, 'and so does a revoke');
    const poll = await call(base, 'GET', '/ext/deploy', { 'sf-external-function-query-batch-id': 'deploy-async-1' });
    assert.equal(poll.status, 401, 'polls are authenticated too');
    const temp = new ApiKeyStore(home).create('SYSADMIN', 'temp');
    assert.equal((await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': temp.key }, body)).status, 200);
    new ApiKeyStore(home).revoke('temp');
    assert.equal(
      (await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': temp.key }, body)).status,
      401,
      'a revoked key stops working at once',
    );
    const logged = logs.join('');
    assert.ok(logged.includes('/ext/invoke'), 'requests were logged');
    for (const k of [admin, publicKey, temp.key]) assert.ok(!logged.includes(secretOf(k)), 'no key secret in the log');
  });
});

describe('/ext limits: back-pressure, slow batches, the response size limit', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  let fx: EndpointFixture;
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;
  let key: string;

  before(async () => {
    fx = await endpointFixture();
    engine = await Engine.open({ home });
    key = new ApiKeyStore(home).create('ACCOUNTADMIN').key;
    const closing = new AbortController();
    const auth = new Authenticator(home);
    const ctx: ServiceContext = {
      engine,
      sessions: new SessionStore(),
      jobWatch: new JobWatch(engine.jobs),
      closing: closing.signal,
      home,
      version: 'test',
      pid: process.pid,
      auth,
      limits: DEFAULT_LIMITS,
    };
    app = Fastify();
    requireCaller(app, auth);
    await externalFunctionArea({ maxInFlight: 1, asyncAfterMs: 0, maxResponseBytes: 2000 })(app, ctx);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    engine.endpoints.deploy('movies', fx.v1.uri);
    await engine.endpoints.waitFor('movies', 'InService');
  });

  after(async () => {
    await app.close();
    await engine.close();
    fx.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After while the in-flight limit is taken', async () => {
    const body = JSON.stringify({ data: [[0, 'movies', '1', '100']] });
    // A request whose body is still arriving holds the only slot.
    const held = httpRequest(new URL('/ext/invoke', base), {
      method: 'POST',
      headers: { ...json, 'x-api-key': key, 'content-length': String(body.length) },
    });
    const heldAnswer = new Promise<number>((resolve) => held.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))));
    held.write(body.slice(0, 5));
    await new Promise((r) => setTimeout(r, 50));
    const busy = await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': key }, body);
    assert.equal(busy.status, 429);
    assert.equal(busy.headers['retry-after'], '1');
    assert.match(busy.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(busy.json(), {
      error: { code: 'RESOURCE_EXHAUSTED', message: 'recpipe is serving 1 external-function requests (limit 1); retry after 1 s' },
    });
    held.end(body.slice(5));
    assert.equal(await heldAnswer, 200);
    assert.equal((await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': key }, body)).status, 200, 'the slot is free again');
  });

  it('a batch not done in time is answered 202 and then by polling', async () => {
    const headers = { ...json, 'x-api-key': key, 'sf-external-function-query-batch-id': 'slow-1' };
    const first = await call(
      base,
      'POST',
      '/ext/deploy',
      headers,
      JSON.stringify({ data: [[3, 'slow', inHomeStore(home, fx.v2.uri), '{"wait": true, "timeout_seconds": 30}']] }),
    );
    assert.equal(first.status, 202);
    let poll: Answer;
    do poll = await call(base, 'GET', '/ext/deploy', headers);
    while (poll.status === 202);
    assert.equal(poll.status, 200, poll.text);
    assert.equal(poll.json().data[0][1].EndpointStatus, 'InService');
  });

  it('an answer over the batch limit is a 413 naming the limit, never a truncated body', async () => {
    const rows = Array.from({ length: 200 }, (_, r) => [r, 'movies', '1', '100']);
    const res = await call(base, 'POST', '/ext/invoke', { ...json, 'x-api-key': key }, JSON.stringify({ data: rows }));
    assert.equal(res.status, 413);
    assert.match(res.json().error.message, /over Snowflake's 10 MB \(2000 bytes\) batch limit/);
  });
});

/** In-process, where a child would only add its start-up: what is checked is what the command prints and stores. */
describe('recpipe keys (CLI)', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  after(() => rmSync(home, { recursive: true, force: true }));
  const cli = async (...args: string[]) => {
    const r = await recpipeInProcess(['keys', ...args, '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it('creates a key printed once, lists keys without it, revokes by name', async () => {
    const created = await recpipeInProcess(['keys', 'create', '--role', 'sysadmin', '--name', 'gateway', '--home', home]);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^rpk_[0-9a-f]{12}_/);
    assert.equal(new ApiKeyStore(home).verify(key)?.role, 'SYSADMIN');
    const listed = await cli('list');
    assert.match(listed, /gateway\s+rpk_[0-9a-f]{12}\s+SYSADMIN/);
    assert.ok(!listed.includes(secretOf(key)));
    assert.ok(!(await cli('list', '--json')).includes(secretOf(key)));
    assert.ok(!readFileSync(join(home, 'api-keys.json'), 'utf8').includes(secretOf(key)));
    assert.match(await cli('revoke', 'gateway'), /Revoked API key 'gateway'/);
    assert.equal(new ApiKeyStore(home).verify(key), null);
  });
});
