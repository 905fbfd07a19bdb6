import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Warehouse } from '../warehouse.js';
import { openDuckDbWarehouse } from './duckdb-warehouse.js';

describe('JS scalar functions in DuckDB', () => {
  let wh: Warehouse;
  const seen: { database: string | null; schema: string | null }[] = [];
  before(async () => {
    wh = await openDuckDbWarehouse();
    await wh.registerFunction({
      name: 'echo_text',
      parameters: ['ANY'],
      returns: 'VARCHAR',
      invoke: ([xs]) => xs.map((x) => (x === null ? null : `<${String(x)}>`)),
    });
    await wh.registerFunction({
      name: 'where_am_i',
      parameters: [],
      returns: 'VARCHAR',
      invoke: (_, rows, ctx) => {
        seen.push(ctx);
        return Array.from({ length: rows }, () => `${ctx.database}.${ctx.schema}`);
      },
    });
    await wh.registerFunction({
      name: 'fails',
      parameters: ['ANY'],
      returns: 'DOUBLE',
      invoke: () => {
        throw new Error('this function names its problem');
      },
    });
  });
  after(() => wh.close());

  it('hands every row its own value: repeated, long, short, unicode and NULL strings', async () => {
    const values = [
      'a-long-endpoint-name-v1',
      'a-long-endpoint-name-v1',
      'short',
      null,
      'short',
      'a-long-endpoint-name-v2',
      'ünï-cödé-string-of-length',
      null,
      'a-long-endpoint-name-v2',
    ];
    const rows = values.map((v, i) => `(${i}, ${v === null ? 'NULL' : `'${v}'`})`).join(', ');
    const r = await wh.run(`SELECT echo_text(s) FROM (VALUES ${rows}) t(i, s) ORDER BY i`);
    assert.deepEqual(
      r.rows.map((row) => row[0]),
      values.map((v) => (v === null ? null : `<${v}>`)),
    );
  });

  it('converts numbers, bigints and decimals to plain values', async () => {
    const r = await wh.run(`SELECT echo_text(1.0::DOUBLE), echo_text(42::BIGINT), echo_text(610.000::DECIMAL(9,3)), echo_text(true)`);
    assert.deepEqual(r.rows[0], ['<1>', '<42>', '<610>', '<true>']);
  });

  it('over many batches a constant string argument stays right', async () => {
    const r = await wh.run(`SELECT count(*) FROM range(10000) WHERE echo_text('movielens-model-v1') = '<movielens-model-v1>'`);
    assert.equal(r.rows[0][0], 10000);
  });

  it("tells the function the calling connection's database and schema", async () => {
    await wh.attachDatabase('CTXDB', ':memory:');
    const got = await wh.withConnection(async (conn) => {
      await conn.useSchema('CTXDB', 'main');
      return (await conn.run('SELECT where_am_i()')).rows[0][0];
    });
    assert.equal(got, 'CTXDB.main');
  });

  it("fails the statement with the function's message", async () => {
    await assert.rejects(wh.run('SELECT fails(1)'), /this function names its problem/);
  });
});
