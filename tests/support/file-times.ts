/**
 * What each test file costs, measured by the shard that ran it, so that the slowest files are known
 * from a run rather than from memory. Each shard writes one record per file into the run's claims
 * directory; the shard that finds every claimed file recorded writes the run's table
 * (`test-output/test-times.json`) and prints its top 20. Copy that JSON over
 * tests/shards/file-times.json after a full run to refresh the order the shards take files in.
 *
 * CPU is split in two: the shard's own (process.cpuUsage, approximate since a file's timers can
 * still fire during the next file) and its children's (spawned CLIs, servers, chromium), which Linux
 * adds to the shard's cutime/cstime when a child is reaped — so a child that outlives its file is
 * charged to a later one.
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

/** CPU time of this process's reaped children in ms, 0 where /proc is missing. */
function childCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime); the slice starts at field 3.
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {
    return 0;
  }
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
