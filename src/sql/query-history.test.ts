import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENTRY_BYTES, QueryHistory, ResultCache } from './query-history.js';

const result = (rows: number) => ({ columns: [{ name: 'X', type: 'NUMBER' }], rows: Array.from({ length: rows }, (_, i) => [i]) });

describe('query history', () => {
  it('counts LAST_QUERY_ID from the end (-n) or the start (n) of the session', () => {
    const h = new QueryHistory(new ResultCache(), 'U');
    const ids = [h.record(result(1)), h.record(result(1)), h.record(result(1))];
    assert.equal(h.lastQueryId(), ids[2]);
    assert.equal(h.lastQueryId(-3), ids[0]);
    assert.equal(h.lastQueryId(2), ids[1]);
    assert.equal(h.lastQueryId(0), null);
    assert.equal(h.lastQueryId(-4), null);
    assert.equal(h.lastQueryId(4), null);
  });

  it('keeps results within the byte budget and no result over the row limit; other users see none', () => {
    const cache = new ResultCache({ totalBytes: 2 * ENTRY_BYTES + 10 * 16, rowsPerResult: 6 });
    const h = new QueryHistory(cache, 'U');
    const big = h.record(result(7));
    assert.deepEqual(h.result(big), { result: null, rows: 7 });
    const a = h.record(result(6));
    const b = h.record(result(5));
    assert.equal(h.result(a), undefined, 'dropped to stay within 10 numbers');
    assert.equal(h.result(b)?.result?.rows.length, 5);
    assert.equal(new QueryHistory(cache, 'OTHER').result(b), undefined);
    // Few cells, many bytes: two 1 KB strings are over the budget, and push nothing out.
    const wide = h.record({ columns: [{ name: 'S', type: 'TEXT' }], rows: [['x'.repeat(1024)], ['y'.repeat(1024)]] });
    assert.deepEqual(h.result(wide), { result: null, rows: 2 });
    assert.equal(h.result(b)?.result?.rows.length, 5);
  });

  it('bounds how many small results it keeps, and keeps only their rows, not the statement text', () => {
    const cache = new ResultCache({ totalBytes: 10 * ENTRY_BYTES, rowsPerResult: 6 });
    const h = new QueryHistory(cache, 'U');
    const text = `insert into t values ('${'x'.repeat(1000)}');`.repeat(100);
    const ids = Array.from({ length: 100 }, (_, i) => {
      const executed = { statement: text.slice(i * 1000, i * 1000 + 1000), ...result(0) };
      return h.record(executed);
    });
    assert.equal(h.result(ids[0]), undefined, 'the oldest of 100 empty results is gone');
    assert.ok(h.result(ids[99])?.result, 'the newest is kept');
    assert.equal(ids.filter((id) => h.result(id) !== undefined).length, 10);
    assert.deepEqual(Object.keys(h.result(ids[99])?.result ?? {}), ['columns', 'rows']);
  });
});
