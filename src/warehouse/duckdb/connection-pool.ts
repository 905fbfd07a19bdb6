import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * Connections to one DuckDB instance, reused between callers. DuckDB runs statements of different
 * connections concurrently, so a caller holds a connection only for its own sequence of
 * statements; `setup` runs once on every new connection (per-connection macros and settings).
 */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[] = [];
  private readonly all = new Set<DuckDBConnection>();
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly setup: (conn: DuckDBConnection) => Promise<void>,
  ) {}

  async use<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      return await fn(conn);
    } finally {
      await this.release(conn);
    }
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
  }
}
