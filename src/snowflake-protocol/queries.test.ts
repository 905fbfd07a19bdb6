import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryRegistry } from './queries.js';

const result = (rows: number) => ({
  statement: 'select',
  kind: 'query' as const,
  columns: [{ name: 'X', type: 'NUMBER' }],
  rows: Array.from({ length: rows }, (_, i) => [i]),
  rowCount: rows,
});

describe('QueryRegistry', () => {
  it('shows a query only to its user and signs chunk URLs that cannot be forged or outlive their expiry', () => {
    const queries = new QueryRegistry();
    const q = queries.start('ALICE', 'select 1', 'req-1');
    assert.equal(queries.get(q.id, 'BOB'), null);
    assert.equal(queries.byRequest('req-1', 'ALICE'), q);
    const expires = Date.now() + 60_000;
    const signature = queries.sign(q.id, 0, expires);
    assert.ok(queries.verify(q.id, 0, expires, signature));
    assert.ok(!queries.verify(q.id, 1, expires, signature), 'another chunk');
    assert.ok(!queries.verify(q.id, 0, expires + 1, signature), 'another expiry');
    assert.ok(!queries.verify(q.id, 0, Date.now() - 1, queries.sign(q.id, 0, Date.now() - 1)), 'expired');
    assert.ok(!new QueryRegistry().verify(q.id, 0, expires, signature), "another server's key");
  });

  it('evicts the oldest finished results past the query count or the row budget, never a running one or the one just finished', () => {
    const queries = new QueryRegistry(3, 100);
    const running = queries.start('A', 'slow', null);
    const done = [1, 2, 3].map(() => {
      const q = queries.start('A', 'q', null);
      q.status = 'SUCCESS';
      q.result = result(10);
      q.finish();
      return q;
    });
    assert.ok(queries.get(running.id, 'A'), 'running queries stay');
    assert.equal(queries.get(done[0].id, 'A'), null, 'the oldest finished one went');
    const big = queries.start('A', 'big', null);
    big.status = 'SUCCESS';
    big.result = result(150);
    big.finish();
    queries.evict(big);
    assert.ok(queries.get(big.id, 'A'));
    assert.equal(queries.get(done[2].id, 'A'), null, 'older results made room for the budget');
  });

  it('keeps the newest results within the row budget as queries come and go (the running sum of rows stays true)', () => {
    const queries = new QueryRegistry(1_000, 100);
    const finished = Array.from({ length: 50 }, (_, i) => {
      const q = queries.start('A', `q${i}`, `req-${i}`);
      q.status = 'SUCCESS';
      q.result = result(10);
      q.finish();
      queries.evict(q);
      return q;
    });
    const kept = finished.filter((q) => queries.get(q.id, 'A') !== null);
    assert.deepEqual(kept, finished.slice(-10), 'exactly the last ten results of ten rows fit a budget of 100 rows');
    assert.equal(queries.byRequest('req-39', 'A'), null, 'an evicted query is gone by its request id too');
    const aborted = queries.start('A', 'cancelled', null);
    queries.abort(aborted);
    aborted.finish();
    assert.ok(queries.get(finished[40].id, 'A'), 'a query without rows takes nothing from the budget, even finished twice');
  });
});
