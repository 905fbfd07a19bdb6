import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Predictor, clip } from '../core/index.js';
import { tinyModel } from '../../tests/support/tiny-model-fixture.js';
import { invocations, ping } from './invocations.js';

const model = tinyModel();
const predictor = new Predictor(model);
const csv = (body: string | undefined, type = 'text/csv') => invocations(predictor, type, body);
const lines = (body: string) => body.split('\n').slice(0, -1).map(Number);
const errorOf = (body: string) => JSON.parse(body).error as { code: string; message: string };

describe('invocations handler', () => {
  it('answers one prediction per csv line, in order, equal to Predictor', () => {
    const pairs = [
      ['1', '100'],
      ['alice', 'The Matrix'],
      ['7', '129'],
      ['1', '100'],
    ];
    const r = csv(pairs.map((p) => p.join(',')).join('\r\n'));
    assert.equal(r.status, 200);
    assert.match(r.contentType, /^text\/csv/);
    assert.deepEqual(
      lines(r.body),
      pairs.map(([u, i]) => predictor.predict(u, i)),
    );
  });

  it('normalises ids: 1, "1", 1.0 and " 1 " are one user', () => {
    const r = invocations(predictor, 'application/json', '[[1, 100], ["1", "100"], [1.0, 100.0], [" 1 ", "100.0"]]');
    const { predictions } = JSON.parse(r.body) as { predictions: number[] };
    assert.equal(new Set(predictions).size, 1);
    assert.equal(predictions[0], predictor.predict('1', '100'));
    assert.deepEqual(lines(csv('1.0,100\n"1",100.00\n').body), [predictions[0], predictions[0]]);
  });

  it("gives unknown users and items the model's fallback: the global mean plus the known side's bias, clipped", () => {
    const item = model.itemIds.indexOf('100');
    const user = model.userIds.indexOf('1');
    const r = csv('nobody,100\n1,no-such-item\nnobody,nothing\n');
    assert.deepEqual(lines(r.body), [
      clip(model.globalMean + model.itemBias[item], model.scale),
      clip(model.globalMean + model.userBias[user], model.scale),
      clip(model.globalMean, model.scale),
    ]);
  });

  it('refuses other content types with 415 naming the accepted ones', () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const r = invocations(predictor, type, '1,100');
      assert.equal(r.status, 415);
      assert.match(errorOf(r.body).message, /send text\/csv or application\/json/);
    }
    assert.equal(csv('1,100', 'Text/CSV; charset=utf-8').status, 200);
  });

  it('answers 400 for empty bodies, header-only bodies and malformed lines', () => {
    for (const body of [undefined, '', ' \r\n']) assert.match(errorOf(csv(body).body).message, /^empty body/);
    const headerOnly = csv('user,item\n');
    assert.equal(headerOnly.status, 400);
    assert.match(errorOf(headerOnly.body).message, /no user,item pairs/);
    const bad = csv('1,100\n1;100\n');
    assert.equal(bad.status, 400);
    assert.deepEqual(errorOf(bad.body), { code: 'INVALID_ARGUMENT', message: 'line 2: expected 2 fields (user,item), got 1: "1;100"' });
  });

  it('pings with the model summary', () => {
    assert.deepEqual(JSON.parse(ping(model).body), {
      status: 'ok',
      algorithm: 'svd',
      users: model.userIds.length,
      items: model.itemIds.length,
    });
  });
});
