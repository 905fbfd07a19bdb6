import type { StatementResult } from '../engine/index.js';

/** A session's context as a client sees it (what the REPL prompt shows). */
export interface SessionContext {
  readonly id: string;
  readonly role: string;
  readonly database: string | null;
  readonly schema: string | null;
  readonly warehouse: string | null;
}

/** Optional starting context for a client's session. */
export interface SessionInit {
  role?: string;
  database?: string;
  schema?: string;
  warehouse?: string;
}

export interface SqlRun {
  readonly results: StatementResult[];
  /** The session's context after the run (`use schema` etc. change it). */
  readonly session: SessionContext;
}

/** One way to run SQL against a recpipe home: through its running server, or by opening it in-process. */
export interface SqlClient {
  readonly mode: 'http' | 'in-process';
  /** One line saying how this client reaches the data, for humans (stderr). */
  readonly description: string;
  /** The context of this client's session as of its last statement. */
  readonly session: SessionContext;
  /** Runs one or more statements in this client's session. */
  execute(sql: string, bindings?: unknown[]): Promise<SqlRun>;
  close(): Promise<void>;
}

export type { StatementResult };
