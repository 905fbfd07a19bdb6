import type { ChildProcess } from 'node:child_process';

/** Benchmark helpers shared by the bench scripts. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** An autocannon run is only a figure when every request succeeded. */
export function checked<R extends { non2xx: number; errors: number; timeouts: number }>(r: R): R {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0)
    throw new Error(`autocannon saw ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  return r;
}

/** Prints measure / recpipe / goal rows as an aligned table. */
export function printGoalTable(rows: readonly (readonly [string, string, string])[], widths: readonly [number, number] = [16, 18]): void {
  const w = [Math.max(...rows.map((r) => r[0].length)), ...widths];
  console.log(['measure'.padEnd(w[0]), 'recpipe'.padStart(w[1]), 'goal'.padStart(w[2])].join('  '));
  for (const r of rows) console.log([r[0].padEnd(w[0]), r[1].padStart(w[1]), r[2].padStart(w[2])].join('  '));
}

/** SIGTERM to a child server, resolved once it has exited. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

type Row = [string, string, string];
interface LoadRun {
  requests: { average: number };
  latency: { p50: number; p99: number };
}

/**
 * The rows both HTTP benches print for one server under load: max rate, 1,000 req/s in
 * autocannon's bursts and evenly paced, and a big CSV batch, beside issue goals.
 */
export function httpLoadRows(
  label: string,
  max: LoadRun,
  bursty: LoadRun,
  even: { rate: number; latencies: number[] },
  batchMs: number[],
  batchLines: number,
): Row[] {
  const fmt = (x: number) => x.toFixed(2);
  const ms = (x: number) => (x === 0 ? '<1' : String(x)); // autocannon reports whole milliseconds
  return [
    [`${label}, max rate (req/s)`, Math.round(max.requests.average).toLocaleString('en-US'), '≥ 10,000'],
    ['  latency p50 / p99 at max rate (ms, autocannon)', `${ms(max.latency.p50)} / ${ms(max.latency.p99)}`, ''],
    [`${label} at 1,000 req/s, autocannon bursts`, `${Math.round(bursty.requests.average)} req/s`, ''],
    ['  latency p50 / p99 (ms, autocannon)', `${ms(bursty.latency.p50)} / ${ms(bursty.latency.p99)}`, 'p99 ≤ 5 ms'],
    [`${label} at 1,000 req/s, evenly paced`, `${Math.round(even.rate)} req/s`, ''],
    ['  latency p50 / p99 (ms)', `${fmt(percentile(even.latencies, 50))} / ${fmt(percentile(even.latencies, 99))}`, 'p99 ≤ 5 ms'],
    [`${batchLines.toLocaleString('en-US')}-line CSV batch, median of ${batchMs.length} (ms)`, fmt(median(batchMs)), '≤ 20 ms'],
    ['  batch min / max (ms)', `${fmt(Math.min(...batchMs))} / ${fmt(Math.max(...batchMs))}`, ''],
  ];
}
