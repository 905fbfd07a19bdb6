import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { EndpointManager } from './endpoint-manager.js';
import { endpointFixture, type EndpointFixture } from '../../tests/support/endpoint-test-fixture.js';
import { registerEndpointRoutes } from './http-routes.js';

let fx: EndpointFixture;
let manager: EndpointManager;
let app: FastifyInstance;
let base = '';

before(async () => {
  fx = await endpointFixture();
  manager = await EndpointManager.open({ home: fx.home() });
  app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });
  await registerEndpointRoutes(app, manager);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  manager.deploy('ml', fx.v1.uri);
  await manager.waitFor('ml', 'InService', 5000);
});
after(async () => {
  await app.close();
  await manager.close();
  fx.cleanup();
});

const post = (path: string, type: string | null, body: string) =>
  fetch(`${base}${path}`, { method: 'POST', headers: type === null ? {} : { 'content-type': type }, body });
const invoke = (type: string | null, body: string, name = 'ml') => post(`/endpoints/${name}/invocations`, type, body);

async function expectError(res: Response, status: number, code: string, message: RegExp): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const { error } = JSON.parse(text) as { error: { code: string; message: string } };
  assert.equal(error.code, code);
  assert.match(error.message, message);
}

describe('endpoint routes over HTTP', () => {
  it('answers csv and json invocations exactly as Predictor, in order', async () => {
    const p = fx.v1.predictor;
    const pairs: [string, string][] = [
      ['1', '100'],
      ['alice', 'The Matrix'],
      ['nobody', '101'],
      ['7', 'nothing'],
      ['1', '100'],
    ];
    const csv = await invoke('text/csv', 'userId,movieId\r\n' + pairs.map((x) => `"${x[0]}",${x[1]}`).join('\r\n'));
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.deepEqual(
      (await csv.text()).split('\n').slice(0, -1).map(Number),
      pairs.map(([u, i]) => p.predict(u, i)),
    );
    const json = await invoke(
      'application/json',
      JSON.stringify({ instances: [[1, 100], { user: '1.0', item: 100.0 }, ['alice', 'The Matrix']] }),
    );
    const want = [p.predict(1, 100), p.predict(1, 100), p.predict('alice', 'The Matrix')];
    assert.deepEqual(((await json.json()) as { predictions: number[] }).predictions, want);
  });

  it('folds new users in from ratings in a JSON invocation: predictions with sources, recommendations', async () => {
    const runtime = manager.serving('ml');
    const zoe = [
      [100, 5],
      ['101', 1],
      ['The Matrix', 4.5],
    ];
    const zoeRatings = { items: zoe.map((x) => x[0]), ratings: zoe.map((x) => Number(x[1])) };
    const pairs = await invoke(
      'application/json',
      JSON.stringify({
        instances: [
          ['zoe', 102],
          ['1', 102],
          ['nobody', 102],
        ],
        ratings: { zoe },
      }),
    );
    const want = new Float64Array(3);
    runtime.scoreWithFoldIn(['zoe', '1', 'nobody'], [102, 102, 102], want, (r) => (r === 0 ? zoeRatings : null));
    assert.deepEqual(await pairs.json(), { predictions: [...want], sources: ['fold-in', 'model', 'fallback'] });
    assert.notEqual(want[0], want[2], 'fold-in moves her off the fallback');

    const recs = await invoke(
      'application/json',
      JSON.stringify({
        recommend: [
          { user: 'zoe', k: 5, ratings: zoe },
          { user: 'alice', k: 3 },
          { user: 'nobody', k: 2 },
        ],
      }),
    );
    assert.equal(recs.status, 200);
    const { recommendations } = (await recs.json()) as { recommendations: { user: string; items: string[]; source: string }[] };
    assert.deepEqual(recommendations[0], { user: 'zoe', ...runtime.recommend('zoe', 5, zoeRatings) });
    assert.equal(recommendations[0].source, 'fold-in');
    assert.ok(!recommendations[0].items.some((i) => ['100', '101', 'The Matrix'].includes(i)), 'never an item she rated');
    assert.deepEqual(
      recommendations.map((r) => [r.user, r.source, r.items.length]),
      [
        ['zoe', 'fold-in', 5],
        ['alice', 'model', 3],
        ['nobody', 'popularity', 2],
      ],
    );
    await expectError(
      await invoke('application/json', JSON.stringify({ recommend: { user: 'zoe', ratings: [[100, 'five']] } })),
      400,
      'INVALID_ARGUMENT',
      /recommend\[0\]\.ratings\[0\]: the rating must be a number, got "five"/,
    );
    await expectError(
      await invoke('application/json', JSON.stringify({ recommend: { user: 'zoe', k: 0 } })),
      400,
      'INVALID_ARGUMENT',
      /recommend\[0\]\.k must be an integer from 1/,
    );
  });

  it('pings: 200 while serving, 503 naming the status otherwise, 404 for unknown endpoints', async () => {
    const ok = await fetch(`${base}/endpoints/ml/ping`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), {
      endpoint: 'ml',
      status: 'InService',
      artifactUri: fx.v1.uri,
      algorithm: 'svd',
      users: fx.v1.predictor.model.userIds.length,
      items: fx.v1.predictor.model.itemIds.length,
    });
    manager.deploy('broken', fx.corruptUri);
    await assert.rejects(manager.waitFor('broken', 'InService', 5000));
    await expectError(
      await fetch(`${base}/endpoints/broken/ping`),
      503,
      'FAILED_PRECONDITION',
      /^Endpoint broken is not InService \(status Failed\): could not load/,
    );
    await expectError(await invoke('text/csv', '1,100\n', 'broken'), 503, 'FAILED_PRECONDITION', /status Failed/);
    await expectError(await fetch(`${base}/endpoints/nope/ping`), 404, 'NOT_FOUND', /^Could not find endpoint nope$/);
    await expectError(await invoke('text/csv', '1,100\n', 'nope'), 404, 'NOT_FOUND', /^Could not find endpoint nope$/);
  });

  it('refuses bad payloads naming the problem', async () => {
    await expectError(
      await invoke('text/csv', '1,100\n2,101,5\n'),
      400,
      'INVALID_ARGUMENT',
      /^line 2: expected 2 fields \(user,item\), got 3: "2,101,5"$/,
    );
    await expectError(await invoke('text/csv', '1,100\n2\n'), 400, 'INVALID_ARGUMENT', /^line 2: expected 2 fields/);
    await expectError(
      await invoke('application/json', '[[1, 100], [true, 101]]'),
      400,
      'INVALID_ARGUMENT',
      /^instances\[1\]: user id must be a non-empty string or a number, got true/,
    );
    await expectError(
      await invoke('application/json', '{"instances": [[1, {"id": 2}]]}'),
      400,
      'INVALID_ARGUMENT',
      /^instances\[0\]: item id must be/,
    );
    await expectError(await invoke('application/json', '[[1, 100]'), 400, 'INVALID_ARGUMENT', /^the body is not valid JSON/);
    await expectError(await invoke('text/csv', ''), 400, 'INVALID_ARGUMENT', /^empty body: send user,item lines/);
    await expectError(await invoke('text/csv', 'user,item\n'), 400, 'INVALID_ARGUMENT', /no user,item pairs/);
    await expectError(
      await invoke('text/plain', '1,100\n'),
      415,
      'INVALID_ARGUMENT',
      /^unsupported content type "text\/plain"; send text\/csv or application\/json$/,
    );
    await expectError(await invoke(null, '1,100\n'), 415, 'INVALID_ARGUMENT', /unsupported content type/);
    const line = '123456,654321\n';
    await expectError(
      await invoke('text/csv', line.repeat(Math.ceil((7 * 1024 * 1024) / line.length))),
      413,
      'RESOURCE_EXHAUSTED',
      /larger than the 6 MB \(6291456 bytes\) limit/,
    );
  });

  it('manages endpoints: deploy (202), describe, list, conflicts, delete', async () => {
    const created = await post('/api/v1/endpoints', 'application/json', JSON.stringify({ name: 'second', artifactUri: fx.v2.uri }));
    assert.equal(created.status, 202);
    assert.equal(((await created.json()) as { status: string }).status, 'Creating');
    await manager.waitFor('second', 'InService', 5000);
    const described = (await (await fetch(`${base}/api/v1/endpoints/second`)).json()) as {
      status: string;
      artifactUri: string;
      model: { items: number };
    };
    assert.equal(described.status, 'InService');
    assert.equal(described.artifactUri, fx.v2.uri);
    assert.equal(described.model.items, fx.v2.predictor.model.itemIds.length);
    const listed = (await (await fetch(`${base}/api/v1/endpoints`)).json()) as { endpoints: { name: string }[] };
    assert.ok(['ml', 'second'].every((n) => listed.endpoints.some((e) => e.name === n)));

    const update = await post('/api/v1/endpoints', 'application/json', JSON.stringify({ name: 'second', artifactUri: fx.v1.uri }));
    assert.equal(((await update.json()) as { status: string }).status, 'Updating');
    await expectError(
      await post('/api/v1/endpoints', 'application/json', JSON.stringify({ name: 'second', artifactUri: fx.v2.uri })),
      409,
      'CONFLICT',
      /^Endpoint second is Updating/,
    );
    await manager.waitFor('second', 'InService', 5000);

    const deleted = await fetch(`${base}/api/v1/endpoints/second`, { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    assert.equal(((await deleted.json()) as { status: string }).status, 'Deleting');
    await expectError(await fetch(`${base}/api/v1/endpoints/second`), 404, 'NOT_FOUND', /^Could not find endpoint second$/);
    await expectError(await fetch(`${base}/api/v1/endpoints/second`, { method: 'DELETE' }), 404, 'NOT_FOUND', /second/);
  });

  it('refuses bad deploy requests', async () => {
    const deploy = (body: string) => post('/api/v1/endpoints', 'application/json', body);
    await expectError(
      await deploy(JSON.stringify({ name: 'bad_name', artifactUri: fx.v1.uri })),
      400,
      'INVALID_ARGUMENT',
      /^endpoint name "bad_name" is not valid/,
    );
    await expectError(await deploy(JSON.stringify({ name: 'x' })), 400, 'INVALID_ARGUMENT', /artifactUri/);
    await expectError(
      await deploy(JSON.stringify({ name: 'x', artifactUri: fx.v1.uri, extra: 1 })),
      400,
      'INVALID_ARGUMENT',
      /additional properties/,
    );
    await expectError(
      await deploy(JSON.stringify({ name: 'x', artifactUri: 's3://b/m' })),
      400,
      'INVALID_ARGUMENT',
      /no artifact store for scheme 's3:\/\/'/,
    );
    await expectError(await deploy('{"name": '), 400, 'INVALID_ARGUMENT', /JSON/);
    await expectError(await post('/api/v1/endpoints', 'text/csv', 'x'), 415, 'INVALID_ARGUMENT', /content[- ]type/i);
  });

  it('updates under a loop of concurrent requests with zero failed or mixed answers', async () => {
    manager.deploy('live', fx.v1.uri);
    await manager.waitFor('live', 'InService', 5000);
    const pairs = fx.v1.predictor.model.userIds.flatMap((u) => ['100', '105', '117', 'The Matrix', 'nothing'].map((i) => [u, i]));
    const body = pairs.map((p) => p.map((f) => `"${f}"`).join(',')).join('\n');
    const old = pairs.map(([u, i]) => fx.v1.predictor.predict(u, i)).join();
    const neu = pairs.map(([u, i]) => fx.v2.predictor.predict(u, i)).join();
    assert.notEqual(old, neu);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    let switchedAt = Number.POSITIVE_INFINITY;
    const answers: { sentAt: number; status: number; text: string }[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const sentAt = performance.now();
        answers.push({ sentAt, ...(await postWith(agent, `${base}/endpoints/live/invocations`, body)) });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 100));
    manager.deploy('live', fx.v2.uri);
    await manager.waitFor('live', 'InService', 5000);
    switchedAt = performance.now();
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    const failed = answers.filter((a) => a.status !== 200);
    assert.deepEqual(failed, [], 'no failed requests');
    const kinds = answers.map((a) => (csvValues(a.text) === old ? 'old' : csvValues(a.text) === neu ? 'new' : 'mixed'));
    assert.equal(kinds.filter((k) => k === 'mixed').length, 0, 'every answer is wholly the old or the new model');
    assert.ok(
      kinds.filter((k) => k === 'old').length > 10 && kinds.filter((k) => k === 'new').length > 10,
      `old ${kinds.filter((k) => k === 'old').length}, new ${kinds.filter((k) => k === 'new').length}`,
    );
    assert.ok(
      answers.every((a, k) => a.sentAt < switchedAt || kinds[k] === 'new'),
      'requests sent after the switch answer from the new model',
    );
  });
});

const csvValues = (text: string) => text.split('\n').slice(0, -1).map(Number).join();

function postWith(agent: Agent, url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'text/csv' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
