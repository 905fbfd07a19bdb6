import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ConnectionPin } from '../warehouse.js';

/**
 * Connections to one DuckDB instance, reused between callers. DuckDB runs statements of different
 * connections concurrently, so a caller holds a connection only for its own sequence of
 * statements; `setup` runs once on every new connection (per-connection macros and settings).
 */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[] = [];
  private readonly all = new Set<DuckDBConnection>();
  /** Connections held by a session between requests because a transaction of its is open. */
  private readonly pinned = new Map<string, DuckDBConnection>();
  private closed = false;

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
    try {
      return await fn(conn);
    } finally {
      if (pin?.keep() && !this.closed) this.pinned.set(pin.key, conn);
      else await this.release(conn);
    }
  }

  /** Rolls back and returns a session's pinned connection (the session ended or was dropped). */
  async unpin(key: string): Promise<void> {
    const conn = this.pinned.get(key);
    if (!conn) return;
    this.pinned.delete(key);
    await this.release(conn);
  }

  private async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('warehouse is closed');
    const conn = this.idle.pop();
    if (conn) return conn;
    const fresh = await this.instance.connect();
    this.all.add(fresh);
    await this.setup(fresh);
    return fresh;
  }

  /**
   * A transaction the caller left open (or aborted by an error) must not leak into the next
   * caller's statements, so every released connection is rolled back; "no transaction is active"
   * is the normal answer.
   */
  private async release(conn: DuckDBConnection): Promise<void> {
    if (this.closed) return;
    try {
      await conn.run('ROLLBACK');
    } catch {
      // nothing was open
    }
    this.idle.push(conn);
  }

  /** Runs `fn` on every idle connection, holding them all so no caller takes one meanwhile. */
  async forEachIdle(fn: (conn: DuckDBConnection) => Promise<void>): Promise<void> {
    const held = this.idle.splice(0);
    try {
      for (const conn of held) await fn(conn);
    } finally {
      this.idle.push(...held);
    }
  }

  closeAll(): void {
    this.closed = true;
    for (const conn of this.all) conn.closeSync();
    this.all.clear();
    this.idle.length = 0;
    this.pinned.clear();
  }
}
