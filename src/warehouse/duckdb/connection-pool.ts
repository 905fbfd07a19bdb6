import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ConnectionPin } from '../warehouse.js';
import { catalogClock } from './catalog-clock.js';

/** How often a connection being interrupted is interrupted again until its use ends. */
const REINTERRUPT_MS = 50;

/** Connections on which a transaction may be open: a transaction statement ran on them since their last rollback. */
const unsettled = new WeakSet<DuckDBConnection>();

/**
 * Marks `conn` as possibly holding an open transaction (BEGIN, COMMIT or ROLLBACK ran on it), so the
 * use that ran it ends with a rollback unless the session keeps the connection pinned.
 */
export function mayHoldTransaction(conn: DuckDBConnection): void {
  unsettled.add(conn);
}

/**
 * Marks `conn` as holding no transaction: a COMMIT or ROLLBACK just succeeded on it, so the ROLLBACK
 * that would end its use could only fail with "no transaction is active" (one more DuckDB call after
 * every store write and every script).
 */
export function transactionEnded(conn: DuckDBConnection): void {
  unsettled.delete(conn);
}

/**
 * Connections to one DuckDB instance, reused between callers. DuckDB runs statements of different
 * connections concurrently, so a caller holds a connection only for its own sequence of
 * statements; `setup` runs once on every new connection (per-connection macros and settings).
 *
 * A connection is never closed while something runs on it: DuckDB (1.4) deadlocks when a
 * connection is closed under a running query (the query's end drops the last reference to its
 * client context while holding that context's lock), and the thread left waiting keeps the process
 * from ever exiting. So every use of a connection, the pool's own included, counts as busy.
 */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[] = [];
  private readonly all = new Set<DuckDBConnection>();
  /** Connections held by a session between requests because a transaction of its is open. */
  private readonly pinned = new Map<string, DuckDBConnection>();
  /** Connections something runs on now; closing waits for them. */
  private readonly busy = new Set<DuckDBConnection>();
  /** Busy connections asked to stop: interrupted again every REINTERRUPT_MS until their use ends. */
  private readonly stopping = new Set<DuckDBConnection>();
  private reinterrupt: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  /** Called once the pool is closed and the last busy connection has come back. */
  private drained: (() => void) | null = null;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly setup: (conn: DuckDBConnection) => Promise<void>,
  ) {}

  /**
   * Runs `fn` on a connection. With `pin`, the connection a session left pinned is used, and it
   * stays pinned to the session afterwards while `pin.keep()` says so (a transaction is open), so
   * a transaction spans requests; callers serialize a session's requests (the session store does).
   */
  async use<T>(fn: (conn: DuckDBConnection) => Promise<T>, pin?: ConnectionPin): Promise<T> {
    const held = pin ? this.pinned.get(pin.key) : undefined;
    if (pin) this.pinned.delete(pin.key);
    const conn = held ?? (await this.acquire());
    this.busy.add(conn);
    let failed = true;
    try {
      const result = await fn(conn);
      failed = false;
      return result;
    } finally {
      const keep = !this.closed && pin?.keep() === true;
      if (keep && pin) this.pinned.set(pin.key, conn);
      // A use that failed or was interrupted may have stopped between a BEGIN and its COMMIT.
      else if (failed || this.stopping.has(conn) || unsettled.has(conn)) await this.rollBack(conn);
      this.giveBack(conn, keep);
    }
  }

  /** Rolls back and returns a session's pinned connection (the session ended or was dropped). */
  async unpin(key: string): Promise<void> {
    const conn = this.pinned.get(key);
    if (!conn) return;
    this.pinned.delete(key);
    this.busy.add(conn);
    await this.rollBack(conn);
    this.giveBack(conn, false);
  }

  /** Runs `fn` on every idle connection, holding them all so no caller takes one meanwhile. */
  async forEachIdle(fn: (conn: DuckDBConnection) => Promise<void>): Promise<void> {
    const held = this.idle.splice(0);
    for (const conn of held) this.busy.add(conn);
    try {
      for (const conn of held) await fn(conn);
    } finally {
      for (const conn of held) this.giveBack(conn, false);
    }
  }

  /**
   * Stops what runs on `conn` for the rest of its current use. One interrupt is not enough: a caller
   * runs several DuckDB queries in one use (checks, then the statement), and an interrupt that lands
   * between two of them, or before DuckDB has started the next, is lost — the endless query after it
   * would run for hours. So the interrupt repeats until the use ends.
   */
  interrupt(conn: DuckDBConnection): void {
    if (!this.busy.has(conn)) return;
    conn.interrupt();
    this.stopping.add(conn);
    // Unref'd: a use that never returns must not keep the process alive through this timer.
    this.reinterrupt ??= setInterval(() => {
      for (const c of this.stopping) c.interrupt();
    }, REINTERRUPT_MS).unref();
  }

  /**
   * Closes every connection. One still in use is interrupted until it comes back, and closed then.
   * Resolves true when every connection is closed, false after `graceMs` with the stragglers left
   * to close themselves on return.
   */
  async closeAll(graceMs = 10_000): Promise<boolean> {
    this.closed = true;
    for (const conn of [...this.all]) if (!this.busy.has(conn)) this.close(conn);
    this.idle.length = 0;
    this.pinned.clear();
    if (this.busy.size === 0) return true;
    for (const conn of this.busy) this.interrupt(conn);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        new Promise<boolean>((resolve) => {
          this.drained = () => resolve(true);
        }),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('warehouse is closed');
    const conn = this.idle.pop();
    if (conn) return conn;
    const fresh = await this.instance.connect();
    this.all.add(fresh);
    this.busy.add(fresh);
    try {
      await this.setup(fresh);
    } catch (e) {
      this.busy.delete(fresh);
      this.close(fresh);
      throw e;
    }
    return fresh;
  }

  /**
   * A transaction the caller left open (or aborted by an error) must not leak into the next
   * caller's statements. Only a connection that may hold one is rolled back: for the rest, the
   * ROLLBACK (and DuckDB's "no transaction is active" error) was a second statement per request.
   */
  private async rollBack(conn: DuckDBConnection): Promise<void> {
    if (this.closed) return;
    unsettled.delete(conn);
    try {
      await conn.run('ROLLBACK');
      // A transaction was open: what it created is gone.
      catalogClock.changed();
    } catch {
      // nothing was open
    }
  }

  /** Ends a use of `conn`: back to the idle list (unless `pinned`), or closed if the pool has closed. */
  private giveBack(conn: DuckDBConnection, pinned: boolean): void {
    this.busy.delete(conn);
    this.stopping.delete(conn);
    if (this.stopping.size === 0 && this.reinterrupt !== null) {
      clearInterval(this.reinterrupt);
      this.reinterrupt = null;
    }
    if (this.closed) this.close(conn);
    else if (!pinned) this.idle.push(conn);
    if (this.closed && this.busy.size === 0) this.drained?.();
  }

  private close(conn: DuckDBConnection): void {
    if (this.all.delete(conn)) conn.closeSync();
  }
}
