import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  create(): void {
    for (const dir of [this.root, this.databasesDir, this.tempDir]) mkdirSync(dir, { recursive: true });
  }
}

export interface HomeLock {
  release(): void;
}

/**
 * DuckDB allows one writing process per database file, so one process owns a home. The lock file
 * holds the owner's pid; a lock whose process is gone is stale and taken over. The lock is written
 * under a private name and hard-linked into place, so it appears complete or not at all.
 */
export function lockHome(layout: HomeLayout): HomeLock {
  const draft = `${layout.lockFile}.${process.pid}`;
  writeFileSync(draft, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + '\n');
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
      const owner = readOwner(layout.lockFile);
      if (owner !== null && (owner === process.pid || isAlive(owner))) {
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

function readOwner(file: string): number | null {
  try {
    const pid = Number((JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
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
