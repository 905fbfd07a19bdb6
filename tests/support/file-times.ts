/**
 * What each test file costs, measured by the shard that ran it, so that the slowest files are known
 * from a run rather than from memory. Each shard writes one record per file into the run's claims
 * directory; the shard that finds every claimed file recorded writes the run's table
 * (`test-output/test-times.json`) and prints its top 20. Copy that JSON over
 * tests/shards/file-times.json after a full run to refresh the order the shards take files in.
 *
 * CPU is split in two: the shard's own (process.cpuUsage, approximate since a file's timers can
 * still fire during the next file) and its children's (spawned CLIs, servers, chromium), read from
 * /proc for the running ones and from the shard's cutime/cstime for the reaped ones.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FileTime {
  /** As the shards see it: `src/core/x.test.js`, relative to dist. */
  file: string;
  /** When the file started, ms since the epoch. */
  startedAt: number;
  wallMs: number;
  cpuMs: number;
  childCpuMs: number;
  shard: number;
  /** Set when the watchdog stopped the shard during this file. */
  timedOut?: true;
}

/** Linux's user-space clock tick: /proc reports times in 1/100 s on every architecture. */
const TICK_MS = 10;

/** A process's stat fields from field 3 (state) on, or null once it is gone. */
function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

// Indexes into statFields of proc(5)'s fields 4 (ppid) and 14-17 (utime, stime, cutime, cstime).
const PPID = 1;
const UTIME = 11;

/**
 * CPU time of this process's descendants in ms, 0 where /proc is missing: the reaped ones (cutime and
 * cstime) and the ones still running, each with its own reaped children. A child that outlives its
 * file (the shard's shared chromium, whose renderers chromium reaps) is so charged to each file for
 * what it used meanwhile, not to whichever file is running when it exits.
 */
function childCpuMs(): number {
  const self = statFields('self');
  if (!self) return 0;
  const ticks = (f: string[], from: number, to: number) => f.slice(from, to).reduce((sum, t) => sum + Number(t), 0);
  let total = ticks(self, UTIME + 2, UTIME + 4);
  const children = new Map<number, number[]>();
  const fields = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    fields.set(pid, f);
    const parent = Number(f[PPID]);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  for (const pending = [...(children.get(process.pid) ?? [])]; pending.length > 0; ) {
    const pid = pending.pop()!;
    total += ticks(fields.get(pid)!, UTIME, UTIME + 4);
    pending.push(...(children.get(pid) ?? []));
  }
  return total * TICK_MS;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Starts timing a file; the returned function gives its record so far. */
export function startTiming(file: string): () => FileTime {
  const startedAt = Date.now();
  const wall = performance.now();
  const cpu = cpuMs();
  const child = childCpuMs();
  return () => ({
    file,
    startedAt,
    wallMs: Math.round(performance.now() - wall),
    cpuMs: Math.round(cpuMs() - cpu),
    childCpuMs: childCpuMs() - child,
    shard: process.pid,
  });
}

const TIMES = 'times';

function recordName(file: string): string {
  return file.replaceAll('/', '__');
}

export function writeTime(claims: string, time: FileTime): void {
  mkdirSync(join(claims, TIMES), { recursive: true });
  writeFileSync(join(claims, TIMES, recordName(time.file)), JSON.stringify(time));
}

/** Every record of the run, slowest (wall) first, or null while a claimed file has none yet. */
function runTimes(claims: string): FileTime[] | null {
  mkdirSync(join(claims, TIMES), { recursive: true });
  const recorded = new Set(readdirSync(join(claims, TIMES)));
  const claimed = readdirSync(claims, { withFileTypes: true }).filter((e) => e.isFile() && e.name !== REPORTED);
  if (claimed.some((e) => !recorded.has(e.name))) return null;
  return [...recorded]
    .map((name) => JSON.parse(readFileSync(join(claims, TIMES, name), 'utf8')) as FileTime)
    .sort((a, b) => b.wallMs - a.wallMs);
}

const REPORTED = 'reported';

/**
 * Called by a shard with nothing left to claim: if every claimed file is recorded and no other shard
 * has reported, writes the run's table (`outDir/test-times.json`) and returns its summary for the terminal.
 */
export function reportRun(claims: string, outDir: string): string | null {
  const times = runTimes(claims);
  if (!times?.length) return null;
  try {
    writeFileSync(join(claims, REPORTED), `${process.pid}\n`, { flag: 'wx' });
  } catch {
    return null;
  }
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'test-times.json');
  writeFileSync(out, `${JSON.stringify(times, null, 2)}\n`);
  return formatTable(times, out);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1).padStart(7);

export function formatTable(times: FileTime[], out: string): string {
  const sum = (pick: (t: FileTime) => number): number => times.reduce((s, t) => s + pick(t), 0);
  const runWallMs = Math.max(...times.map((t) => t.startedAt + t.wallMs)) - Math.min(...times.map((t) => t.startedAt));
  const lines = [
    `test files: ${times.length}; shards' run ${seconds(runWallMs).trim()} s wall; CPU ${seconds(sum((t) => t.cpuMs)).trim()} s in shards + ${seconds(sum((t) => t.childCpuMs)).trim()} s in their children (${out})`,
    `   wall s    CPU s  child s  file (top 20 by wall)`,
    ...times
      .slice(0, 20)
      .map((t) => `  ${seconds(t.wallMs)}  ${seconds(t.cpuMs)}  ${seconds(t.childCpuMs)}  ${t.file}${t.timedOut ? '  (timed out)' : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The committed measurement (tests/shards/file-times.json): file → wall ms, for ordering the queue. */
export function knownWallMs(repo: string): Map<string, number> {
  try {
    const times = JSON.parse(readFileSync(join(repo, 'tests/shards/file-times.json'), 'utf8')) as FileTime[];
    return new Map(times.map((t) => [t.file, t.wallMs]));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
}
