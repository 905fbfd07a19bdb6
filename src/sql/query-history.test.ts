import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryHistory, ResultCache } from './query-history.js';

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
    const cache = new ResultCache({ totalBytes: 10 * 16, rowsPerResult: 6 });
    const h = new QueryHistory(cache, 'U');
    const big = h.record(result(7));
    assert.deepEqual(h.result(big), { result: null, rows: 7 });
    const a = h.record(result(6));
    const b = h.record(result(5));
    assert.equal(h.result(a), undefined, 'dropped to stay within 10 numbers');
    assert.equal(h.result(b)?.result?.rows.length, 5);
    assert.equal(new QueryHistory(cache, 'OTHER').result(b), undefined);
    // Few cells, many bytes: two 1 KB strings are over a 160-byte budget, and push nothing out.
    const wide = h.record({ columns: [{ name: 'S', type: 'TEXT' }], rows: [['x'.repeat(1024)], ['y'.repeat(1024)]] });
    assert.deepEqual(h.result(wide), { result: null, rows: 2 });
    assert.equal(h.result(b)?.result?.rows.length, 5);
  });
});
