import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRecpipeError } from '../core/errors.js';
import { BatchCache, encodeResponse, parseBatch, PayloadTooLarge, readBatchHeaders, type Signature } from './index.js';

const invoke: Signature = { name: 'invoke_model', params: ['model_name', 'user', 'item'], required: 3 };
const train: Signature = { name: 'train_and_get_recommendations', params: ['input', 'output', 'options'], required: 2 };

const refused = (body: unknown, sig: Signature, pattern: RegExp) =>
  assert.throws(
    () => parseBatch(body, sig),
    (e) => isRecpipeError(e) && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message),
  );

describe('parseBatch', () => {
  it('splits rows into argument columns and keeps row numbers as sent', () => {
    const b = parseBatch(
      {
        data: [
          [7, 'm', 1, 'a'],
          [3, 'm', null, 2],
        ],
      },
      invoke,
    );
    assert.deepEqual(b.rowNumbers, [7, 3]);
    assert.deepEqual(b.args, [
      ['m', 'm'],
      [1, null],
      ['a', 2],
    ]);
  });

  it('fills omitted optional arguments with null', () => {
    const b = parseBatch(
      {
        data: [
          [0, 'a', 'b'],
          [1, 'a', 'b', { folds: 3 }],
        ],
      },
      train,
    );
    assert.deepEqual(b.args[2], [null, { folds: 3 }]);
  });

  it('accepts an empty batch', () => {
    assert.deepEqual(parseBatch({ data: [] }, invoke).rowNumbers, []);
  });

  it('names what is wrong with a malformed body', () => {
    refused([1, 2], invoke, /must be a JSON object.*got an array of 2/);
    refused({ rows: [] }, invoke, /no "data" field/);
    refused({ data: 'x' }, invoke, /"data" must be an array.*the string "x"/);
    refused({ data: [[0, 'm', 1, 2], 5] }, invoke, /data\[1\] must be an array.*number 5/);
    refused({ data: [['0', 'm', 1, 2]] }, invoke, /data\[0\]\[0\] \(the row number\) must be a number/);
    refused(
      {
        data: [
          [0, 'm', 1, 2],
          [9, 'm', 1],
        ],
      },
      invoke,
      /row 9 \(data\[1\]\) has 2 arguments; invoke_model takes 3 \(model_name, user, item\)/,
    );
    refused({ data: [[0, 'a']] }, train, /has 1 argument; train_and_get_recommendations takes 2 to 3/);
  });
});

describe('encodeResponse', () => {
  it('pairs each row number with its value; undefined becomes null', () => {
    assert.equal(encodeResponse([5, 2], [1.5, undefined]), '{"data":[[5,1.5],[2,null]]}');
  });

  it('writes exactly what JSON.stringify writes for every kind of value', () => {
    const values = [NaN, -Infinity, -0, 1e-7, 'é "q"\n', { a: [1, null], b: 'x' }, [true, false], null];
    const rows = values.map((_, r) => r * 3);
    assert.equal(encodeResponse(rows, values), JSON.stringify({ data: rows.map((r, k) => [r, values[k]]) }));
  });

  it('refuses an answer over the batch limit, naming the limit', () => {
    const big = 'x'.repeat(600);
    assert.throws(
      () => encodeResponse([0, 1], [big, big], 1000),
      (e) => e instanceof PayloadTooLarge && /over Snowflake's 10 MB \(1000 bytes\) batch limit/.test(e.message),
    );
    assert.ok(encodeResponse([0], [big], 1000).length < 1000);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const wide = 'é'.repeat(400); // 800 bytes in 400 characters
    assert.throws(() => encodeResponse([0], [wide], 700), PayloadTooLarge);
  });
});

describe('readBatchHeaders', () => {
  it('reads the batch id, context headers and the async request', () => {
    const h = readBatchHeaders({
      'sf-external-function-query-batch-id': ' 01a-b ',
      'sf-external-function-format': 'json',
      'sf-external-function-format-version': '1.0',
      'sf-external-function-current-query-id': 'q',
      'sf-context-current-database': 'MOVIELENS',
      'sf-custom-async': 'TRUE',
    });
    assert.deepEqual(h, { batchId: '01a-b', database: 'MOVIELENS', schema: null, async: true });
  });

  it('refuses formats recpipe does not speak', () => {
    assert.throws(() => readBatchHeaders({ 'sf-external-function-format': 'csv' }), /format 'csv' is not supported/);
    assert.throws(() => readBatchHeaders({ 'sf-external-function-format-version': '2.0' }), /format-version '2.0'/);
  });
});

describe('BatchCache', () => {
  const ok = (body: string) => Promise.resolve({ status: 200, body });

  it('answers a retry from the store and tells a different body apart', async () => {
    const cache = new BatchCache(2);
    cache.track('a', 'f1', ok('A'));
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(cache.lookup('a', 'f1'), { kind: 'answered', answer: { status: 200, body: 'A' } });
    assert.deepEqual(cache.lookup('a', 'f2'), { kind: 'conflict' });
  });

  it('keeps failed answers too, for the polls of an async batch', async () => {
    const cache = new BatchCache(2);
    const failed = Promise.resolve({ status: 429, body: 'busy' });
    cache.track('a', 'f', failed);
    assert.equal(cache.lookup('a', 'f').kind, 'pending');
    await failed;
    await Promise.resolve();
    assert.deepEqual(cache.lookup('a', 'f'), { kind: 'answered', answer: { status: 429, body: 'busy' } });
  });

  it('drops the least recently used beyond its capacity', () => {
    const cache = new BatchCache(2);
    cache.track('a', 'f', ok('A'));
    cache.track('b', 'f', ok('B'));
    cache.lookup('a');
    cache.track('c', 'f', ok('C'));
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup('b').kind, 'absent');
    assert.notEqual(cache.lookup('a').kind, 'absent');
  });
});
