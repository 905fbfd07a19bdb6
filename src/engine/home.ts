import { chmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { RecpipeError } from '../core/errors.js';

/**
 * The recpipe home: `recpipe.duckdb` (system catalog), `databases/<NAME>.duckdb` (one file per
 * database), `tmp/` (DuckDB spill space) and `recpipe.lock` (the owning process).
 */
export class HomeLayout {
  readonly root: string;

  constructor(home: string) {
    this.root = resolve(home);
  }

  get systemFile(): string {
    return join(this.root, 'recpipe.duckdb');
  }

  get databasesDir(): string {
    return join(this.root, 'databases');
  }

  get tempDir(): string {
    return join(this.root, 'tmp');
  }

  /** Internal stages' files: `users/<USER>/` (each user's @~) and `named/<DB.SCHEMA.NAME>/`. */
  get stagesDir(): string {
    return join(this.root, 'stages');
  }

  /** Where COPY sources are linked for the locked-down warehouse to read (inside tmp/, an allowed directory). */
  get stagingDir(): string {
    return join(this.tempDir, 'loads');
  }

  get lockFile(): string {
    return join(this.root, 'recpipe.lock');
  }

  databaseFile(name: string): string {
    return join(this.databasesDir, `${name}.duckdb`);
  }

  /**
   * Creates the home owner-only: 0700 directories, 0600 files (DuckDB's files, WAL and spill files
   * included, through the process umask), and tightens an existing home made before that rule.
   */
  create(): void {
    if (isMainThread) process.umask(0o077);
    for (const dir of [this.root, this.databasesDir, this.tempDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    ownerOnly(this.root);
  }
}

/** chmod go-rwx over the tree (never following links out of it). */
function ownerOnly(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    if ((st.mode & 0o077) !== 0) chmodSync(path, 0o700);
    for (const name of readdirSync(path)) ownerOnly(join(path, name));
  } else if ((st.mode & 0o077) !== 0) {
    chmodSync(path, st.mode & 0o700);
  }
}

export interface HomeLock {
  release(): void;
}

/** Who holds a lock: the pid, plus what tells a reused pid apart (the boot and the process's start time). */
interface LockOwner {
  readonly pid: number;
  readonly bootId: string | null;
  readonly startTime: string | null;
  /** When the lock was taken (ISO time); for locks written before start times were recorded. */
  readonly since: string | null;
}

/**
 * DuckDB allows one writing process per database file, so one process owns a home. The lock file
 * records the owner's pid, boot id and start time (Linux: /proc/<pid>/stat field 22); a lock whose
 * process is gone — or whose pid now belongs to another process, after a reboot or pid reuse — is
 * stale and taken over. The lock is written under a private name and hard-linked into place, so it
 * appears complete or not at all.
 */
export function lockHome(layout: HomeLayout): HomeLock {
  const draft = `${layout.lockFile}.${process.pid}`;
  const me = { pid: process.pid, bootId: bootId(), startTime: startTimeOf(process.pid) };
  writeFileSync(draft, JSON.stringify({ ...me, host: hostname(), since: new Date().toISOString() }) + '\n', { mode: 0o600 });
  try {
    return takeLock(layout, draft);
  } finally {
    rmSync(draft, { force: true });
  }
}

function takeLock(layout: HomeLayout, draft: string): HomeLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      linkSync(draft, layout.lockFile);
      return { release: () => rmSync(layout.lockFile, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const recorded = readOwner(layout.lockFile);
      const owner = recorded?.pid ?? null;
      if (recorded !== null && (recorded.pid === process.pid || holdsLock(recorded))) {
        const who = owner === process.pid ? 'this process (another Engine is open on it)' : `process ${owner}`;
        throw new RecpipeError(
          'FAILED_PRECONDITION',
          `recpipe home ${layout.root} is in use by ${who} (lock file ${layout.lockFile}); stop that process or send SQL to its server instead`,
          { pid: owner, lockFile: layout.lockFile },
        );
      }
      rmSync(layout.lockFile, { force: true });
    }
  }
  throw new RecpipeError('FAILED_PRECONDITION', `could not take the lock ${layout.lockFile}`);
}

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; bootId?: unknown; startTime?: unknown; since?: unknown };
    const pid = Number(o.pid);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    return { pid, bootId: text(o.bootId), startTime: text(o.startTime), since: text(o.since) };
  } catch {
    return null;
  }
}

/** The recorded process still runs: same pid alive, same boot, same start time (where the system tells them). */
function holdsLock(owner: LockOwner): boolean {
  if (!isAlive(owner.pid)) return false;
  const boot = bootId();
  if (owner.bootId !== null && boot !== null && owner.bootId !== boot) return false;
  const started = startTimeOf(owner.pid);
  if (owner.startTime !== null && started !== null) return owner.startTime === started;
  // An older lock: a process that started after the lock was taken cannot be the one that took it.
  const startedAt = started === null ? null : startedAtMs(started);
  const since = owner.since === null ? NaN : Date.parse(owner.since);
  return startedAt === null || Number.isNaN(since) || startedAt <= since + 1000;
}

/** Wall-clock start of a process from its start time in clock ticks (USER_HZ is 100 on Linux) and the boot time. */
function startedAtMs(ticks: string): number | null {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    return btime === undefined ? null : Number(btime) * 1000 + Number(ticks) * 10;
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat (clock ticks after boot); the command name before it may hold spaces and parentheses. */
export function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
