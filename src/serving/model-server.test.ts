import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Predictor } from '../core/index.js';
import { tinyModel } from '../../tests/support/tiny-model-fixture.js';
import { createModelServer } from './model-server.js';

const model = tinyModel();
const predictor = new Predictor(model);
const app = createModelServer(model);
let base = '';

before(async () => {
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
after(() => app.close());

const post = (type: string | null, body: string) =>
  fetch(`${base}/invocations`, { method: 'POST', headers: type === null ? {} : { 'content-type': type }, body });

async function expectError(res: Response, status: number, message: RegExp): Promise<void> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const { error } = (await res.json()) as { error: { code: string; message: string } };
  assert.match(error.message, message);
}

describe('model server over HTTP', () => {
  it('answers GET /ping with 200', async () => {
    const res = await fetch(`${base}/ping`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
  });

  it('answers csv and json invocations exactly as Predictor, unknown ids included', async () => {
    const pairs: [string, string][] = [
      ...model.userIds.slice(0, 5).flatMap((u) => model.itemIds.slice(0, 6).map((i): [string, string] => [u, i])),
      ['nobody', '100'],
      ['1', 'nothing'],
    ];
    const expected = pairs.map(([u, i]) => predictor.predict(u, i));
    const csvRes = await post('text/csv', 'user,item\r\n' + pairs.map((p) => p.map((f) => `"${f}"`).join(',')).join('\r\n') + '\r\n');
    assert.equal(csvRes.status, 200);
    assert.match(csvRes.headers.get('content-type') ?? '', /^text\/csv/);
    assert.deepEqual((await csvRes.text()).trimEnd().split('\n').map(Number), expected);
    const jsonRes = await post('application/json', JSON.stringify({ instances: pairs.map(([user, item]) => ({ user, item })) }));
    assert.deepEqual(((await jsonRes.json()) as { predictions: number[] }).predictions, expected);
  });

  it('answers 415 for other content types', async () => {
    await expectError(
      await post('text/plain', '1,100'),
      415,
      /unsupported content type "text\/plain"; send text\/csv or application\/json/,
    );
  });

  it('answers 413 for a 7 MB body', async () => {
    const line = '123456,654321\n';
    await expectError(await post('text/csv', line.repeat(Math.ceil((7 * 1024 * 1024) / line.length))), 413, /larger than the 6 MB/);
  });

  it('answers 400 naming the line of a malformed body, and for an empty one', async () => {
    await expectError(await post('text/csv', '1,100\n2,101\n3\n'), 400, /^line 3: expected 2 fields \(user,item\), got 1: "3"$/);
    await expectError(await post('text/csv', ''), 400, /^empty body/);
  });

  it('answers 404 naming the routes it has', async () => {
    await expectError(await fetch(`${base}/predict`), 404, /GET \/ping and POST \/invocations/);
  });
});
