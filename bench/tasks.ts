/**
 * The task scheduler beside the goals of issue 12, in one run:
 *  1. idle overhead: an engine with 1,000 suspended and 100 resumed tasks (hourly, so none runs during
 *     the window) against the same engine with none: CPU share and memory; goals < 1% CPU, < 20 MB;
 *     and what one CREATE TASK costs beside a one-row INSERT (both one commit);
 *  2. scheduled start accuracy on the real clock: 10 root tasks every second for ~10 s (≈100 runs),
 *     QUERY_START_TIME − SCHEDULED_TIME from task_history; goal every start within 1 s;
 *  3. the same on an injected clock (100 runs): the scheduler's own lateness, without timer jitter.
 *  The overhead is the median of RECPIPE_BENCH_ROUNDS (default 3) rounds, each in a fresh process.
 * Run: npm run bench:tasks   (RECPIPE_BENCH_IDLE_SECONDS sets the idle window, default 10).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Engine, type Session } from '../src/engine/index.js';
import { ManualClock } from '../src/tasks/index.js';

const IDLE_SECONDS = Number(process.env.RECPIPE_BENCH_IDLE_SECONDS ?? 10);
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

async function withEngine<T>(clock: ManualClock | undefined, fn: (e: Engine, s: Session) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-bench-tasks-'));
  const e = await Engine.open({ home, ...(clock ? { clock } : {}) });
  try {
    const s = e.createSession();
    await e.execute(s, 'create database bench; create table log (n int)');
    return await fn(e, s);
  } finally {
    await e.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/** CPU share of one core and memory while the process does nothing else for `seconds`. */
async function idle(seconds: number): Promise<{ cpu: number; rss: number; heap: number }> {
  gc?.();
  const before = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const used = process.cpuUsage(before);
  const wall = (performance.now() - t0) * 1000;
  gc?.();
  const m = process.memoryUsage();
  return { cpu: (used.user + used.system) / wall, rss: m.rss, heap: m.heapUsed };
}

/** The statements that create the 1,100 tasks: 1,000 CREATE TASK, 100 CREATE TASK + ALTER TASK … RESUME. */
const WARM_STATEMENTS = 1_200;

interface Round {
  readonly created: number;
  readonly createMs: number;
  readonly insertMs: number;
  readonly cpu: { readonly none: number; readonly tasks: number };
  readonly heapMb: number;
  readonly rssMb: number;
  /** CPU seconds the whole round took (user + system). */
  readonly cpuSeconds: number;
}

/** One round of the overhead measurement, in this (fresh) process. */
async function overheadRound(): Promise<Round> {
  return withEngine(undefined, async (e, s) => {
    // An INSERT commits one row, as CREATE TASK does: the reference for what a CREATE TASK may cost.
    // As many of them run before the idle baseline as statements create the tasks below, so the
    // baseline already holds what running 1,200 statements costs (allocator and DuckDB high-water
    // marks, compiled code: about 27 MB of RSS, measured) and the difference is what the tasks hold.
    const i0 = performance.now();
    for (let i = 0; i < WARM_STATEMENTS; i++) await e.execute(s, `insert into log values (${i})`);
    const insertMs = (performance.now() - i0) / WARM_STATEMENTS;
    await e.execute(s, 'truncate table log');
    const base = await idle(IDLE_SECONDS);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await e.execute(s, `create task idle_${i} schedule = '1 HOURS' as insert into log values (${i})`);
    const createMs = (performance.now() - t0) / 1000;
    for (let i = 0; i < 100; i++)
      await e.execute(s, `create task live_${i} schedule = '1 HOURS' as insert into log values (${i}); alter task live_${i} resume`);
    const created = (performance.now() - t0) / 1000;
    const loaded = await idle(IDLE_SECONDS);
    const used = process.cpuUsage();
    return {
      created,
      createMs,
      insertMs,
      cpu: { none: base.cpu, tasks: loaded.cpu },
      heapMb: (loaded.heap - base.heap) / MB,
      rssMb: (loaded.rss - base.rss) / MB,
      cpuSeconds: (used.user + used.system) / 1e6,
    };
  });
}

const ROUNDS = Number(process.env.RECPIPE_BENCH_ROUNDS ?? 3);
const ROUND_FLAG = '--overhead-round';

/**
 * The overhead rounds, each in a fresh process (RSS is the process's whole history: rounds in one
 * process would measure each other), reported as the median with the spread.
 */
async function overhead(): Promise<void> {
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ROUND_FLAG], {
      maxBuffer: 1 << 20,
    });
    rounds.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as Round);
  }
  const stat = (f: (r: Round) => number, digits = 1): string => {
    const v = rounds.map(f).sort((a, b) => a - b);
    const median = v[Math.floor(v.length / 2)];
    return `${median.toFixed(digits)} (${v[0].toFixed(digits)}–${v[v.length - 1].toFixed(digits)})`;
  };
  console.log(
    `1. idle overhead: median (min–max) of ${ROUNDS} rounds in fresh processes, ${IDLE_SECONDS} s idle windows, ${stat((r) => r.cpuSeconds)} CPU s a round`,
  );
  console.log(
    `   create task ${stat((r) => r.createMs)} ms each (1,000); an INSERT of one row ${stat((r) => r.insertMs)} ms (${WARM_STATEMENTS}, run before the baseline); 1,100 tasks in ${stat((r) => r.created)} s`,
  );
  console.log(
    `   CPU idle: none ${stat((r) => r.cpu.none * 100, 2)}%, with tasks ${stat((r) => r.cpu.tasks * 100, 2)}% → +${stat((r) => (r.cpu.tasks - r.cpu.none) * 100, 2)} points   goal < 1%`,
  );
  console.log(`   memory: heap +${stat((r) => r.heapMb)} MB, rss +${stat((r) => r.rssMb)} MB   goal < 20 MB`);
}

function lateness(rows: unknown[][]): { n: number; p50: number; p99: number; max: number } {
  const late = rows.map((r) => Number(r[1]) - Number(r[0])).sort((a, b) => a - b);
  const at = (q: number): number => late[Math.min(late.length - 1, Math.floor(q * late.length))];
  return { n: late.length, p50: at(0.5), p99: at(0.99), max: late[late.length - 1] };
}

const HISTORY =
  "select epoch_ms(scheduled_time), epoch_ms(query_start_time) from table(information_schema.task_history(result_limit => 10000)) where state = 'SUCCEEDED' and scheduled_from = 'SCHEDULE'";

async function realClock(): Promise<void> {
  await withEngine(undefined, async (e, s) => {
    for (let i = 0; i < 10; i++) await e.execute(s, `create task tick_${i} schedule = '1 SECONDS' as insert into log values (${i})`);
    for (let i = 0; i < 10; i++) await e.execute(s, `alter task tick_${i} resume`);
    await new Promise((r) => setTimeout(r, 10_500));
    for (let i = 0; i < 10; i++) await e.execute(s, `alter task tick_${i} suspend`);
    await e.tasks.idle();
    const l = lateness((await e.execute(s, HISTORY))[0].rows);
    console.log(`2. real clock: ${l.n} runs, start − scheduled p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms   goal ≤ 1000 ms`);
  });
}

async function injectedClock(): Promise<void> {
  const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
  await withEngine(clock, async (e, s) => {
    await e.execute(s, "create task tick schedule = 'USING CRON * * * * * UTC' as insert into log values (1); alter task tick resume");
    for (let i = 0; i < 100; i++) {
      clock.advance(60_000);
      await e.tasks.idle();
    }
    const l = lateness((await e.execute(s, HISTORY))[0].rows);
    console.log(`3. injected clock: ${l.n} cron runs, start − scheduled p50 ${l.p50} ms, max ${l.max} ms   goal ≤ 1000 ms`);
  });
}

if (process.argv.includes(ROUND_FLAG)) {
  if (!gc) throw new Error('an overhead round runs with --expose-gc');
  process.stdout.write(`${JSON.stringify(await overheadRound())}\n`);
  process.exit(0);
}

console.log(
  `bench:tasks — load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (a shared 2-core machine: expect noise)`,
);
await overhead();
await realClock();
await injectedClock();
