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
 * Invocation counters and latency histograms per endpoint and second, in memory (they describe this
 * process's serving, so they start afresh with it), for the last WINDOW_SECONDS seconds. `now` is the
 * clock in ms (tests pass their own).
 */
export class EndpointMetrics {
  private readonly rings = new Map<string, { seconds: Second[]; totalRequests: number; totalErrors: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** One invocation of `endpoint` that took `ms` and failed or not. */
  record(endpoint: string, ms: number, failed: boolean): void {
    let ring = this.rings.get(endpoint);
    if (!ring) this.rings.set(endpoint, (ring = { seconds: [], totalRequests: 0, totalErrors: 0 }));
    const second = Math.floor(this.now() / 1000);
    const slot = second % WINDOW_SECONDS;
    let s = ring.seconds[slot];
    if (!s || s.second !== second)
      ring.seconds[slot] = s = { second, requests: 0, errors: 0, histogram: new Uint32Array(BOUNDS.length + 1) };
    s.requests++;
    ring.totalRequests++;
    if (failed) {
      s.errors++;
      ring.totalErrors++;
    }
    s.histogram[bucketOf(ms)]++;
  }

  /** The last `seconds` seconds of `endpoint`'s traffic (zeros where it had none). */
  traffic(endpoint: string, seconds = 60): EndpointTraffic {
    const span = Math.max(1, Math.min(WINDOW_SECONDS, Math.floor(seconds)));
    const ring = this.rings.get(endpoint);
    const last = Math.floor(this.now() / 1000);
    const out = {
      endpoint,
      t: [] as number[],
      requests: [] as number[],
      errors: [] as number[],
      p50: [] as (number | null)[],
      p95: [] as (number | null)[],
      p99: [] as (number | null)[],
    };
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

/** The upper bound (ms) of the bucket holding the q-th request. */
function percentile(s: Second, q: number): number {
  const rank = Math.max(1, Math.ceil(q * s.requests));
  let seen = 0;
  for (let b = 0; b < s.histogram.length; b++) {
    seen += s.histogram[b];
    if (seen >= rank) return b < BOUNDS.length ? BOUNDS[b] : BOUNDS[BOUNDS.length - 1] * 1.25;
  }
  return BOUNDS[BOUNDS.length - 1] * 1.25;
}
