import type { Warehouse } from '../warehouse/index.js';

/** Snowflake locks a user after 5 wrong passwords in a row, for 15 minutes. */
export const MAX_FAILED_SIGN_INS = 5;
export const LOCK_MINUTES = 15;

interface LockState {
  failures: number;
  /** Epoch milliseconds; 0 when the user is not locked. */
  lockedUntil: number;
}

const key = (user: string): string => user.toUpperCase();

/**
 * Wrong-password counts and temporary locks per user, kept in the catalog (a restart does not clear
 * a lock, as the attacker's easiest way round it would be a crash). The counts live in memory and are
 * written through, so concurrent attempts cannot lose one between a read and a write.
 */
export class LoginLocks {
  readonly #states = new Map<string, LockState>();

  private constructor(
    private readonly wh: Warehouse,
    private readonly table: string,
  ) {}

  static async open(wh: Warehouse, schema: string): Promise<LoginLocks> {
    const table = `${schema}."LOGIN_LOCKS"`;
    await wh.run(
      `CREATE TABLE IF NOT EXISTS ${table} (NAME VARCHAR PRIMARY KEY, FAILURES BIGINT NOT NULL, LOCKED_UNTIL_MS BIGINT NOT NULL)`,
    );
    const locks = new LoginLocks(wh, table);
    for (const [name, failures, until] of (await wh.run(`SELECT NAME, FAILURES, LOCKED_UNTIL_MS FROM ${table}`)).rows)
      locks.#states.set(String(name), { failures: Number(failures), lockedUntil: Number(until) });
    return locks;
  }

  /** Whether the user is locked at `now`. */
  locked(user: string, now: number): boolean {
    return (this.#states.get(key(user))?.lockedUntil ?? 0) > now;
  }

  /** Counts a wrong password; the 5th in a row locks the user for 15 minutes. */
  async failed(user: string, now: number): Promise<void> {
    const state = this.#states.get(key(user)) ?? { failures: 0, lockedUntil: 0 };
    state.failures++;
    if (state.failures >= MAX_FAILED_SIGN_INS) {
      state.failures = 0;
      state.lockedUntil = now + LOCK_MINUTES * 60_000;
    }
    this.#states.set(key(user), state);
    await this.#save(user, state);
  }

  /** A right password clears the count. */
  async succeeded(user: string): Promise<void> {
    const state = this.#states.get(key(user));
    if (!state || (state.failures === 0 && state.lockedUntil === 0)) return;
    state.failures = 0;
    state.lockedUntil = 0;
    await this.#save(user, state);
  }

  /** ALTER USER … SET MINS_TO_UNLOCK = n: the lock ends `minutes` from now (0 unlocks at once). */
  async unlockIn(user: string, minutes: number, now: number): Promise<void> {
    const state = this.#states.get(key(user)) ?? { failures: 0, lockedUntil: 0 };
    state.failures = 0;
    state.lockedUntil = minutes > 0 ? now + minutes * 60_000 : 0;
    this.#states.set(key(user), state);
    await this.#save(user, state);
  }

  /** A dropped user's count goes with it. */
  async forget(user: string): Promise<void> {
    this.#states.delete(key(user));
    await this.wh.run(`DELETE FROM ${this.table} WHERE NAME = ?`, [key(user)]);
  }

  async #save(user: string, state: LockState): Promise<void> {
    await this.wh.run(`INSERT OR REPLACE INTO ${this.table} VALUES (?, ?, ?)`, [key(user), state.failures, state.lockedUntil]);
  }
}
