import assert from 'node:assert/strict';
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
