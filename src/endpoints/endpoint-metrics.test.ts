import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointMetrics } from './endpoint-metrics.js';

describe('EndpointMetrics', () => {
  it('counts requests and errors per second and per endpoint', () => {
    let now = 1_000_000_000;
    const m = new EndpointMetrics(() => now);
    m.record('a', 1, false);
    m.record('a', 2, true);
    m.record('b', 1, false);
    now += 2000;
    m.record('a', 1, false);
    const a = m.traffic('a', 3);
    assert.deepEqual(
      a.t,
      [999_999, 1_000_000, 1_000_001].map((s) => s + 1),
    );
    assert.deepEqual(a.requests, [2, 0, 1]);
    assert.deepEqual(a.errors, [1, 0, 0]);
    assert.equal(a.p50[1], null, 'no latency for a second without requests');
    assert.equal(a.totalRequests, 3);
    assert.equal(m.traffic('b', 3).totalRequests, 1);
    assert.equal(m.traffic('none', 3).requests.length, 3);
  });

  it('places percentiles within a bucket (25%) of the true latency', () => {
    const now = 5_000_000;
    const m = new EndpointMetrics(() => now);
    for (let i = 1; i <= 100; i++) m.record('e', i, false);
    const t = m.traffic('e', 1);
    for (const [q, p] of [
      [50, t.p50[0]],
      [95, t.p95[0]],
      [99, t.p99[0]],
    ] as const) {
      assert.ok(p !== null && p >= q && p <= q * 1.25, `p${q} = ${p}`);
    }
  });

  it('drops seconds older than its window and an endpoint that is forgotten', () => {
    let now = 0;
    const m = new EndpointMetrics(() => now);
    m.record('e', 1, false);
    now += 300_000;
    m.record('e', 1, false);
    assert.deepEqual(
      m.traffic('e', 300).requests.reduce((x, y) => x + y),
      1,
      'the old second was overwritten',
    );
    m.forget('e');
    assert.equal(m.traffic('e').totalRequests, 0);
  });
});
