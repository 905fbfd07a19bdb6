import type { MinuteRecord, TrafficLog } from './traffic-log.js';

/** Latency bucket upper bounds in ms: 0.05 ms to ~30 s, each 25% above the last (a percentile is off by at most that). */
const BOUNDS: readonly number[] = Array.from({ length: 60 }, (_, i) => 0.05 * 1.25 ** i);
/** Seconds of history kept per endpoint (the console charts the last minutes). */
const WINDOW_SECONDS = 300;

interface Second {
  second: number;
  requests: number;
  errors: number;
  /** Requests per latency bucket (BOUNDS), the last slot for anything slower. */
  readonly histogram: Uint32Array;
}

/** An endpoint's traffic, one point per second: requests, errors, and latency percentiles (null for a second without requests). */
export interface EndpointTraffic {
  readonly endpoint: string;
  /** Unix seconds, oldest first. */
  readonly t: number[];
  readonly requests: number[];
  readonly errors: number[];
  readonly p50: (number | null)[];
  readonly p95: (number | null)[];
  readonly p99: (number | null)[];
  /** Since the process started serving the endpoint. */
  readonly totalRequests: number;
  readonly totalErrors: number;
}

/**
 * An endpoint's traffic per minute over every process that served it (the persisted aggregates): `t`
 * is each minute's start, and the totals are over the minutes answered.
 */
export interface EndpointHistory extends EndpointTraffic {
  /** Processes (this one included) whose invocations are in these minutes. */
  readonly processes: number;
}

/** Empty series of an endpoint's traffic, filled point by point. */
const series = (endpoint: string) => ({
  endpoint,
  t: [] as number[],
  requests: [] as number[],
  errors: [] as number[],
  p50: [] as (number | null)[],
  p95: [] as (number | null)[],
  p99: [] as (number | null)[],
});

/**
 * Invocation counters and latency histograms per endpoint: per second in memory for the live charts
 * (this process's, the last WINDOW_SECONDS seconds), and per minute in a TrafficLog when given (every
 * process's, kept on disk across restarts). `now` is the clock in ms (tests pass their own).
 */
export class EndpointMetrics {
  private readonly rings = new Map<string, { seconds: Second[]; totalRequests: number; totalErrors: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly log: TrafficLog | null = null,
  ) {}

  /**
   * `count` invocations of `endpoint` that took `ms` in all (a SQL batch of rows is `count` invocations
   * of ms/count each) and failed or not.
   */
  record(endpoint: string, ms: number, failed: boolean, count = 1): void {
    if (count <= 0) return;
    let ring = this.rings.get(endpoint);
    if (!ring) this.rings.set(endpoint, (ring = { seconds: [], totalRequests: 0, totalErrors: 0 }));
    const second = Math.floor(this.now() / 1000);
    const slot = second % WINDOW_SECONDS;
    let s = ring.seconds[slot];
    if (!s || s.second !== second)
      ring.seconds[slot] = s = { second, requests: 0, errors: 0, histogram: new Uint32Array(BOUNDS.length + 1) };
    const errors = failed ? count : 0;
    const bucket = bucketOf(ms / count);
    s.requests += count;
    ring.totalRequests += count;
    s.errors += errors;
    ring.totalErrors += errors;
    s.histogram[bucket] += count;
    this.log?.add(endpoint, Math.floor(second / 60), count, errors, bucket);
  }

  /** The last `minutes` minutes of `endpoint`'s traffic from every process (zeros where none); empty without a log. */
  async history(endpoint: string, minutes = 60): Promise<EndpointHistory> {
    const span = Math.max(1, Math.min(24 * 60, Math.floor(minutes)));
    const last = Math.floor(this.now() / 60_000);
    const found = this.log ? await this.log.minutes(endpoint, last - span + 1) : { minutes: new Map<number, MinuteRecord>(), processes: 0 };
    const out = series(endpoint);
    let totalRequests = 0;
    let totalErrors = 0;
    for (let m = last - span + 1; m <= last; m++) {
      const rec = found.minutes.get(m);
      out.t.push(m * 60);
      out.requests.push(rec?.r ?? 0);
      out.errors.push(rec?.e ?? 0);
      totalRequests += rec?.r ?? 0;
      totalErrors += rec?.e ?? 0;
      const counts = rec && rec.r > 0 ? (b: number) => rec.h[b] ?? 0 : null;
      out.p50.push(counts ? percentileOf(rec!.r, counts, 0.5) : null);
      out.p95.push(counts ? percentileOf(rec!.r, counts, 0.95) : null);
      out.p99.push(counts ? percentileOf(rec!.r, counts, 0.99) : null);
    }
    return { ...out, totalRequests, totalErrors, processes: found.processes };
  }

  /** Writes the minutes not yet on disk. */
  close(): Promise<void> {
    return this.log?.close() ?? Promise.resolve();
  }

  /** The last `seconds` seconds of `endpoint`'s traffic (zeros where it had none). */
  traffic(endpoint: string, seconds = 60): EndpointTraffic {
    const span = Math.max(1, Math.min(WINDOW_SECONDS, Math.floor(seconds)));
    const ring = this.rings.get(endpoint);
    const last = Math.floor(this.now() / 1000);
    const out = series(endpoint);
    for (let second = last - span + 1; second <= last; second++) {
      const s = ring?.seconds[second % WINDOW_SECONDS];
      const here = s && s.second === second ? s : null;
      out.t.push(second);
      out.requests.push(here?.requests ?? 0);
      out.errors.push(here?.errors ?? 0);
      out.p50.push(here ? percentile(here, 0.5) : null);
      out.p95.push(here ? percentile(here, 0.95) : null);
      out.p99.push(here ? percentile(here, 0.99) : null);
    }
    return { ...out, totalRequests: ring?.totalRequests ?? 0, totalErrors: ring?.totalErrors ?? 0 };
  }

  /** A deleted endpoint's figures go with it. */
  forget(endpoint: string): void {
    this.rings.delete(endpoint);
    this.log?.forget(endpoint);
  }
}

function bucketOf(ms: number): number {
  let lo = 0;
  let hi = BOUNDS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= BOUNDS[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const percentile = (s: Second, q: number): number => percentileOf(s.requests, (b) => s.histogram[b], q);

/** The upper bound (ms) of the bucket holding the q-th of `requests` requests, `counts(b)` being bucket b's. */
function percentileOf(requests: number, counts: (bucket: number) => number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * requests));
  let seen = 0;
  for (let b = 0; b <= BOUNDS.length; b++) {
    seen += counts(b);
    if (seen >= rank) return b < BOUNDS.length ? BOUNDS[b] : BOUNDS[BOUNDS.length - 1] * 1.25;
  }
  return BOUNDS[BOUNDS.length - 1] * 1.25;
}
