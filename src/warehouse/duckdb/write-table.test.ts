import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { openDuckDbWarehouse } from './duckdb-warehouse.js';
import type { Warehouse } from '../warehouse.js';

let wh: Warehouse;
before(async () => {
  wh = await openDuckDbWarehouse();
  await wh.run('CREATE SCHEMA memory.s');
});
after(() => wh.close());
const table = { database: 'memory', schema: 's', name: 'OUT' };

describe('writeTable with text bytes', () => {
  it('writes each row from its byte range, JSON staged as JSON, across chunks and with non-ASCII text', { timeout: 180_000 }, async () => {
    const rows = 5_000;
    const texts = Array.from({ length: rows }, (_, u) => JSON.stringify([u, 'é😀', `x${u}`]));
    const parts = texts.map((t) => Buffer.from(t, 'utf8'));
    const offsets = new Int32Array(rows + 1);
    parts.forEach((p, u) => (offsets[u + 1] = offsets[u] + p.length));
    await wh.writeTable(table, [
      { name: 'U', type: 'BIGINT', values: Float64Array.from({ length: rows }, (_, u) => u) },
      { name: 'J', type: 'JSON', values: { bytes: Buffer.concat(parts), offsets } },
      { name: 'T', type: 'VARCHAR', values: { bytes: Buffer.concat(parts), offsets } },
    ]);
    const r = await wh.run(`SELECT U, J, T, typeof(J) FROM memory.s.OUT WHERE U IN (0, 2047, 2048, 4999) ORDER BY U`);
    assert.deepEqual(
      r.rows.map((row) => [row[0], row[1], row[2], row[3]]),
      [0, 2047, 2048, 4999].map((u) => [u, JSON.parse(texts[u]), texts[u], 'JSON']),
    );
  });
  it('refuses byte ranges whose row count differs from the other columns', async () => {
    await assert.rejects(
      wh.writeTable(table, [
        { name: 'U', type: 'DOUBLE', values: Float64Array.of(1, 2) },
        { name: 'J', type: 'JSON', values: { bytes: Buffer.from('[1]'), offsets: Int32Array.of(0, 3) } },
      ]),
      /column J has 1 values but U has 2/,
    );
  });
});

describe('writeTable with typed arrays and atomic replacement', () => {
  const other = { database: 'memory', schema: 's', name: 'NUMS' };

  it('copies DOUBLE, INTEGER and BIGINT blocks as they are, NaN as NULL, across chunks', async () => {
    const rows = 5_000;
    const big = [2 ** 53 - 1, -(2 ** 53 - 1), -1, 2 ** 32, -(2 ** 32) - 5];
    const ids = Float64Array.from({ length: rows }, (_, u) => (u < big.length ? big[u] : u * 3 - 7000));
    const doubles = Float64Array.from({ length: rows }, (_, u) => (u === 3000 ? Number.NaN : u / 8));
    await wh.writeTable(other, [
      { name: 'B', type: 'BIGINT', values: ids },
      { name: 'D', type: 'DOUBLE', values: doubles },
      { name: 'I', type: 'INTEGER', values: Int32Array.from({ length: rows }, (_, u) => -u) },
    ]);
    const r = await wh.run('SELECT B, D, I FROM memory.s.NUMS');
    assert.equal(r.rows.length, rows);
    r.rows.forEach((row, u) => {
      assert.equal(Number(row[0]), ids[u], `B at row ${u}`);
      assert.equal(row[1], u === 3000 ? null : doubles[u], `D at row ${u}`);
      assert.equal(row[2], u === 0 ? 0 : -u, `I at row ${u}`);
    });
  });

  it('leaves the old table whole when a write fails partway, and readers see the old table while it runs', async () => {
    await wh.writeTable(other, [{ name: 'V', type: 'VARCHAR', values: ['old', 'rows'] }]);
    const rows = 200_000;
    const failing = new Proxy([] as string[], {
      get: (target, key) => {
        if (key === 'length') return rows;
        if (key === String(150_000)) throw new Error('source broke at row 150000');
        return typeof key === 'string' && /^\d+$/.test(key) ? `v${key}` : Reflect.get(target, key);
      },
    });
    const write = wh.writeTable(other, [{ name: 'V', type: 'VARCHAR', values: failing }]);
    await tick();
    const during = await wh.run('SELECT count(*) FROM memory.s.NUMS');
    await assert.rejects(write, /source broke at row 150000/);
    assert.equal(Number(during.rows[0][0]), 2);
    const after = await wh.run('SELECT V FROM memory.s.NUMS ORDER BY V');
    assert.deepEqual(
      after.rows.map((row) => row[0]),
      ['old', 'rows'],
    );
  });

  it('casts JSON given as strings, refusing text that is not JSON and keeping the old table', async () => {
    await wh.writeTable(other, [{ name: 'J', type: 'JSON', values: ['[1,2]', '{"a":3}'] }]);
    await assert.rejects(wh.writeTable(other, [{ name: 'J', type: 'JSON', values: ['[1,2]', 'not json'] }]), /json/i);
    const r = await wh.run('SELECT J FROM memory.s.NUMS');
    assert.deepEqual(
      r.rows.map((row) => row[0]),
      [[1, 2], { a: 3 }],
    );
  });

  it('turns id lists into JSON arrays inside DuckDB, int32 and wider ids, short lists, across blocks', async () => {
    const rows = 5_000;
    const width = 3;
    const items = Int32Array.from({ length: rows * width }, (_, x) => (x % 7 === 6 ? -1 : x % 5));
    // A -1 ends a row's list: what follows it in the row is not written.
    const expected = (ids: readonly number[], u: number): number[] => {
      const row: number[] = [];
      for (let j = 0; j < width && items[u * width + j] >= 0; j++) row.push(ids[items[u * width + j]]);
      return row;
    };
    for (const ids of [
      [1, 2, 3, 40, 50],
      [2 ** 53 - 1, -(2 ** 40), 3, 2 ** 31, -1],
    ]) {
      await wh.writeTable(other, [
        { name: 'U', type: 'BIGINT', values: Float64Array.from({ length: rows }, (_, u) => u) },
        { name: 'R', type: 'JSON', values: { items, width, ids: Float64Array.from(ids) } },
      ]);
      const r = await wh.run('SELECT U, R::VARCHAR, typeof(R) FROM memory.s.NUMS');
      assert.equal(r.rows.length, rows);
      r.rows.forEach((row, u) => {
        assert.equal(Number(row[0]), u);
        assert.equal(row[1], JSON.stringify(expected(ids, u)), `row ${u}`);
        assert.equal(row[2], 'JSON');
      });
    }
    await assert.rejects(
      wh.writeTable(other, [{ name: 'R', type: 'JSON', values: { items: Int32Array.of(0, 1), width: 2, ids: Float64Array.of(1.5, 2) } }]),
      /id 1.5 is not an integer/,
    );
    await assert.rejects(
      wh.writeTable(other, [{ name: 'R', type: 'JSON', values: { items: Int32Array.of(0, 5), width: 2, ids: Float64Array.of(1, 2) } }]),
      /list item 5 is not an index/,
    );
  });
});
