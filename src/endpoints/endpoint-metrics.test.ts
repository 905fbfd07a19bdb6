import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EndpointMetrics } from './endpoint-metrics.js';
import { TrafficLog } from './traffic-log.js';

describe('EndpointMetrics', () => {
  it('counts requests and errors per second and per endpoint', async () => {
    let now = 1_000_000_000;
    const m = new EndpointMetrics(() => now);
    m.record('a', 1, false);
    m.record('a', 2, true);
    m.record('b', 1, false);
    now += 2000;
    m.record('a', 1, false);
    const a = await m.traffic('a', 3);
    assert.deepEqual(
      a.t,
      [999_999, 1_000_000, 1_000_001].map((s) => s + 1),
    );
    assert.deepEqual(a.requests, [2, 0, 1]);
    assert.deepEqual(a.errors, [1, 0, 0]);
    assert.equal(a.p50[1], null, 'no latency for a second without requests');
    assert.equal(a.totalRequests, 3);
    assert.equal(a.processes, 1);
    assert.equal((await m.traffic('b', 3)).totalRequests, 1);
    assert.equal((await m.traffic('none', 3)).requests.length, 3);
    assert.equal((await m.traffic('none', 3)).processes, 0);
  });

  it('places percentiles within a bucket (25%) of the true latency', async () => {
    const now = 5_000_000;
    const m = new EndpointMetrics(() => now);
    for (let i = 1; i <= 100; i++) m.record('e', i, false);
    const t = await m.traffic('e', 1);
    for (const [q, p] of [
      [50, t.p50[0]],
      [95, t.p95[0]],
      [99, t.p99[0]],
    ] as const) {
      assert.ok(p !== null && p >= q && p <= q * 1.25, `p${q} = ${p}`);
    }
  });

  it('drops seconds older than its window and an endpoint that is forgotten', async () => {
    let now = 0;
    const m = new EndpointMetrics(() => now);
    m.record('e', 1, false);
    now += 300_000;
    m.record('e', 1, false);
    assert.deepEqual(
      (await m.traffic('e', 300)).requests.reduce((x, y) => x + y),
      1,
      'the old second was overwritten',
    );
    await m.forget('e');
    assert.equal((await m.traffic('e')).totalRequests, 0);
  });
});

describe('EndpointMetrics per minute, kept in the home', () => {
  it('sums every process file, counts a batch as its rows, survives a restart and stays owner-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recpipe-traffic-'));
    try {
      const logDir = join(dir, 'endpoint-traffic');
      const errors: Error[] = [];
      const first = new EndpointMetrics(Date.now, new TrafficLog(logDir, (e) => errors.push(e)));
      first.record('e', 10, false, 100);
      first.record('e', 2, true);
      first.record('other', 1, false);
      await first.close();
      assert.deepEqual(readdirSync(logDir).sort(), ['e', 'other'], 'a folder per endpoint');
      const files = readdirSync(join(logDir, 'e'));
      assert.equal(files.length, 2, `minutes and seconds: ${files}`);
      for (const f of files) assert.equal(statSync(join(logDir, 'e', f)).mode & 0o777, 0o600);
      assert.equal(statSync(join(logDir, 'e')).mode & 0o777, 0o700);
      assert.equal(statSync(logDir).mode & 0o777, 0o700);
      // A second process (or this one restarted) sees the first one's minutes beside its own.
      const second = new EndpointMetrics(Date.now, new TrafficLog(logDir, (e) => errors.push(e)));
      second.record('e', 0.2, false);
      const h = await second.history('e', 5);
      assert.equal(h.t.length, 5);
      assert.equal(h.totalRequests, 102);
      assert.equal(h.totalErrors, 1);
      assert.equal(h.processes, 2);
      const last = h.requests.length - 1;
      const minute = h.requests[last] === 102 ? last : last - 1;
      assert.equal(h.requests[minute], 102, 'the minutes of both processes are summed');
      const p50 = h.p50[minute];
      assert.ok(p50 !== null && p50 >= 0.1 && p50 <= 0.125, `a batch of 100 rows in 10 ms is 0.1 ms a row (p50 ${p50})`);
      assert.equal((await second.history('other', 5)).totalRequests, 1);
      assert.equal((await second.history('none', 5)).totalRequests, 0);
      const live = await second.traffic('e', 60);
      assert.deepEqual([live.totalRequests, live.totalErrors, live.processes], [102, 1, 2], 'the live seconds of both processes');
      await second.close();
      assert.equal(readdirSync(join(logDir, 'e')).length, 4);
      // Deleting the endpoint removes every process's files of it at once, and no others.
      await second.forget('e');
      assert.deepEqual(readdirSync(logDir), ['other']);
      assert.equal((await second.history('e', 5)).totalRequests, 0);
      assert.deepEqual(errors, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never writes back an endpoint another process deleted, and removes the old layout's files", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recpipe-traffic-'));
    try {
      const logDir = join(dir, 'endpoint-traffic');
      mkdirSync(logDir, { mode: 0o700 });
      // A file of the layout before the folder per endpoint: one file per process for every endpoint.
      writeFileSync(join(logDir, '4242-0a0b0c0d.json'), JSON.stringify({ pid: 4242, endpoints: { e: [] } }));
      const errors: Error[] = [];
      const serving = new TrafficLog(logDir, (e) => errors.push(e));
      const deleting = new TrafficLog(logDir, (e) => errors.push(e));
      const second = Math.floor(Date.now() / 1000);
      serving.add('e', second, 3, 0, 1);
      // Its seconds are written; its minutes are still due (they are written every few seconds).
      await serving.flush('seconds');
      assert.deepEqual(readdirSync(logDir), ['e'], 'the old layout file is gone, the folder is there');
      await deleting.forget('e');
      assert.deepEqual(readdirSync(logDir), []);
      // The serving process's next writes find the folder it wrote gone: the endpoint's traffic stays deleted.
      await serving.flush();
      assert.deepEqual(readdirSync(logDir), []);
      assert.equal((await new EndpointMetrics(Date.now, deleting).history('e', 5)).totalRequests, 0);
      // An endpoint of that name created again and served: only its new traffic is written and counted.
      serving.add('e', second, 2, 0, 1);
      await serving.flush();
      const again = await new EndpointMetrics(Date.now, deleting).history('e', 5);
      assert.deepEqual([again.totalRequests, again.processes], [2, 1]);
      assert.deepEqual(errors, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps no minutes without a log', async () => {
    const m = new EndpointMetrics();
    m.record('e', 1, false);
    assert.equal((await m.history('e')).totalRequests, 0);
    assert.equal((await m.traffic('e')).totalRequests, 1);
  });
});
