import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDBInstance, DuckDBTimestampValue } from './duckdb-api.js';
import { timestampText, toJsonSafe } from './values.js';

const library = (micros: bigint): string => new DuckDBTimestampValue(micros).toString().replace(' ', 'T');

describe('timestamps as text', () => {
  it('writes what DuckDB writes, fractions without trailing zeros, before and after 1970', () => {
    const day = 86_400_000_000n;
    const edges = [0n, -1n, 1n, 999_999n, 1_000_000n, 500_000n, 120_000n, day - 1n, -day, -day - 1n, 946_684_800_000_000n];
    // Spread over ±280 years of the epoch, in a fixed sequence (no randomness in tests).
    let x = 12345n;
    const spread = Array.from({ length: 5_000 }, () => {
      x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return (x % (2n * 280n * 365n * day)) - 280n * 365n * day;
    });
    for (const micros of [...edges, ...spread]) assert.equal(timestampText(micros), library(micros), `${micros}`);
  });

  it('leaves years beyond the exact range to the library', () => {
    const year3000 = 32_503_680_000_000_000n;
    assert.equal(timestampText(year3000), null);
    assert.equal(toJsonSafe(new DuckDBTimestampValue(year3000)), '3000-01-01T00:00:00');
    assert.equal(toJsonSafe(new DuckDBTimestampValue(-62_135_596_800_000_000n)), library(-62_135_596_800_000_000n));
  });

  it('reads a timestamp column of a query as DuckDB prints it', { timeout: 60_000 }, async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const reader = await conn.runAndReadAll(
        `select ts, ts::varchar as text from (values (timestamp '2000-07-30 18:45:03.25'), (timestamp '1969-12-31 23:59:59.999999'), (timestamp '2024-02-29 00:00:00')) v(ts)`,
      );
      for (const [ts, text] of reader.getRows()) assert.equal(toJsonSafe(ts), String(text).replace(' ', 'T'));
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
