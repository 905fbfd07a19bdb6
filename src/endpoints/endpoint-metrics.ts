import type { Found, TrafficLog, TrafficRecord } from './traffic-log.js';

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

/**
 * An endpoint's traffic, one point per second or minute, over every process of the home that served
 * it: requests, errors, and latency percentiles (null where there were no requests); `t` is each
 * point's start (unix seconds), and the totals are over the points answered.
 */
export interface EndpointTraffic {
  readonly endpoint: string;
  /** Unix seconds, oldest first. */
  readonly t: number[];
  readonly requests: number[];
  readonly errors: number[];
  readonly p50: (number | null)[];
  readonly p95: (number | null)[];
  readonly p99: (number | null)[];
  readonly totalRequests: number;
  readonly totalErrors: number;
  /** Processes (this one included) whose invocations are in these points. */
  readonly processes: number;
}

/** Per minute (the persisted aggregates). */
export type EndpointHistory = EndpointTraffic;

/**
 * Invocation counters and latency histograms per endpoint: per second in memory (this process's, the
 * last WINDOW_SECONDS seconds), and, when a TrafficLog is given, per second and per minute on disk so
 * that every process's traffic is charted (the other processes' seconds lag by the log's write
 * interval; minutes are kept across restarts). `now` is the clock in ms (tests pass their own).
 */
export class EndpointMetrics {
  private readonly rings = new Map<string, Second[]>();

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
    if (!ring) this.rings.set(endpoint, (ring = []));
    const second = Math.floor(this.now() / 1000);
    const slot = second % WINDOW_SECONDS;
    let s = ring[slot];
    if (!s || s.second !== second) ring[slot] = s = { second, requests: 0, errors: 0, histogram: new Uint32Array(BOUNDS.length + 1) };
    const errors = failed ? count : 0;
    const bucket = bucketOf(ms / count);
    s.requests += count;
    s.errors += errors;
    s.histogram[bucket] += count;
    this.log?.add(endpoint, second, count, errors, bucket);
  }

  /** The last `minutes` minutes of `endpoint`'s traffic from every process (zeros where none); empty without a log. */
  async history(endpoint: string, minutes = 60): Promise<EndpointHistory> {
    const span = Math.max(1, Math.min(24 * 60, Math.floor(minutes)));
    const last = Math.floor(this.now() / 60_000);
    const found: Found = this.log ? await this.log.minutes(endpoint, last - span + 1) : { records: new Map(), processes: 0 };
    return points(endpoint, last - span + 1, last, 60, found);
  }

  /** The last `seconds` seconds of `endpoint`'s traffic from this process and (with a log) every other one. */
  async traffic(endpoint: string, seconds = 60): Promise<EndpointTraffic> {
    const span = Math.max(1, Math.min(WINDOW_SECONDS, Math.floor(seconds)));
    const last = Math.floor(this.now() / 1000);
    const first = last - span + 1;
    const others: Found = this.log ? await this.log.seconds(endpoint, first) : { records: new Map(), processes: 0 };
    // This process's seconds, to the request, on top of the others'.
    const ring = this.rings.get(endpoint);
    let mine = false;
    for (let second = first; second <= last; second++) {
      const s = ring?.[second % WINDOW_SECONDS];
      if (!s || s.second !== second) continue;
      mine = true;
      let rec = others.records.get(second);
      if (!rec) others.records.set(second, (rec = { t: second, r: 0, e: 0, h: {} }));
      rec.r += s.requests;
      rec.e += s.errors;
      s.histogram.forEach((c, b) => c > 0 && (rec.h[b] = (rec.h[b] ?? 0) + c));
    }
    return points(endpoint, first, last, 1, { records: others.records, processes: others.processes + (mine ? 1 : 0) });
  }

  /** Writes what is not yet on disk. */
  close(): Promise<void> {
    return this.log?.close() ?? Promise.resolve();
  }

  /** A deleted endpoint's figures go with it, this process's and (with a log) every process's files. */
  forget(endpoint: string): Promise<void> {
    this.rings.delete(endpoint);
    return this.log?.forget(endpoint) ?? Promise.resolve();
  }
}

/** Points `first`…`last` (in units of `unit` seconds) of the records found, zeros where none. */
function points(endpoint: string, first: number, last: number, unit: number, found: Found): EndpointTraffic {
  const out = {
    endpoint,
    t: [] as number[],
    requests: [] as number[],
    errors: [] as number[],
    p50: [] as (number | null)[],
    p95: [] as (number | null)[],
    p99: [] as (number | null)[],
  };
  let totalRequests = 0;
  let totalErrors = 0;
  for (let t = first; t <= last; t++) {
    const rec: TrafficRecord | undefined = found.records.get(t);
    out.t.push(t * unit);
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
