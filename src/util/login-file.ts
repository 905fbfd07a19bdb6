import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

/**
 * Sign-ins that outlive the server process: console cookies and Snowflake-protocol tokens are kept in
 * a JSON file of the home, owner-only (0600) and written atomically, holding only SHA-256 hashes of
 * the tokens (a copy of the file cannot be replayed) and each sign-in's expiry. Expired entries are
 * dropped on load. Writes are queued so the file always ends with the latest state.
 */
export class LoginFile<T extends { readonly expires: number }> {
  #writing: Promise<void> = Promise.resolve();

  /** `path` null keeps nothing (engines without a home, tests of the stores alone). */
  constructor(readonly path: string | null) {}

  /** The live entries on disk (none when the file is missing or unreadable: the users sign in again). */
  load(now: number): T[] {
    if (this.path === null) return [];
    let entries: unknown;
    try {
      entries = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      return [];
    }
    return Array.isArray(entries) ? (entries as T[]).filter((e) => typeof e?.expires === 'number' && e.expires > now) : [];
  }

  /** Writes what `snapshot` returns once the writes before it are done; a failure is a warning (the sign-ins stay valid in memory). */
  save(snapshot: () => readonly T[]): Promise<void> {
    const path = this.path;
    if (path === null) return Promise.resolve();
    this.#writing = this.#writing
      .then(() => writeFileAtomic(path, JSON.stringify(snapshot())))
      .catch((e: Error) => process.emitWarning(`sign-ins not saved to ${path}: ${e.message}`, 'RecpipeSignInWarning'));
    return this.#writing;
  }

  /** Resolves once every write begun so far is on disk. */
  flushed(): Promise<void> {
    return this.#writing;
  }
}
