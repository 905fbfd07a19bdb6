import type { Engine, Session } from '../engine/index.js';
import type { SessionContext, SessionInit, SqlClient, SqlRun } from './sql-client.js';

/** Opens the engine on the home itself (taking its owner lock) and runs statements in one session. */
export class InProcessSqlClient implements SqlClient {
  readonly mode = 'in-process';

  private constructor(
    readonly engine: Engine,
    readonly home: string,
    readonly live: Session,
  ) {}

  static async open(home: string, init: SessionInit = {}): Promise<InProcessSqlClient> {
    // Imported here so HTTP clients never load the engine and its native DuckDB binding.
    const { Engine } = await import('../engine/index.js');
    const engine = await Engine.open({ home });
    try {
      return new InProcessSqlClient(engine, home, engine.createSession(init));
    } catch (e) {
      await engine.close();
      throw e;
    }
  }

  get description(): string {
    return `no server running; using ${this.home} in-process`;
  }

  get session(): SessionContext {
    const s = this.live;
    return { id: s.id, role: s.role, database: s.database, schema: s.schema, warehouse: s.warehouse };
  }

  async execute(sql: string, bindings?: unknown[]): Promise<SqlRun> {
    const results = await this.engine.execute(this.live, sql, bindings);
    return { results, session: this.session };
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
