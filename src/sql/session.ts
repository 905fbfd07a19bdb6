import type { QueryHistory } from './query-history.js';

/**
 * A client's context: the current role, database, schema and warehouse, which USE and CREATE
 * statements change in place (as in Snowflake, CREATE DATABASE also makes it current).
 */
export interface Session {
  readonly id: string;
  /** The user the session acts as; absent for recpipe's built-in administrator (ADMIN), who may use every role. */
  readonly user?: string;
  role: string;
  database: string | null;
  schema: string | null;
  warehouse: string | null;
  /** True while a transaction begun by BEGIN / START TRANSACTION is open: its connection stays with the session. */
  inTransaction?: boolean;
  /** TEMPORARY tables the session created, dropped when it ends. */
  temporaryTables?: { database: string; schema: string; name: string }[];
  /** Session variables set by SET, by name (unquoted names upper-cased); read as `$name`. */
  variables?: Map<string, SessionVariable>;
  /** Session parameters set by ALTER SESSION, by upper-case name (unset ones take their default). */
  parameters?: Map<string, string | number | boolean>;
  /** The session's recent query ids and their kept results (LAST_QUERY_ID, RESULT_SCAN); made by the executor. */
  history?: QueryHistory;
}

/** A session variable: its value (JSON-safe, as results carry values) and Snowflake type. */
export interface SessionVariable {
  readonly value: unknown;
  readonly type: string;
  readonly createdOn: string;
  readonly updatedOn: string;
}

export interface ResultColumnType {
  readonly name: string;
  /** Snowflake type name: NUMBER, FLOAT, VARCHAR, BOOLEAN, DATE, TIMESTAMP_NTZ, VARIANT … */
  readonly type: string;
}

export interface StatementResult {
  /** The statement text as given. */
  readonly statement: string;
  readonly kind: 'query' | 'command';
  readonly columns: readonly ResultColumnType[];
  /** JSON-safe values (bigint → number when safe else string; dates ISO strings; VARIANT parsed JSON). */
  readonly rows: unknown[][];
  /** The rows as one array per column instead, when a client asked the statements API for resultFormat `columns`. */
  readonly columnData?: unknown[][];
  /** Rows returned (queries) or affected (DML); 0 for other commands. */
  readonly rowCount: number;
  /** Snowflake's status text for commands, e.g. "Table RATINGS successfully created." */
  readonly message?: string;
  /** The statement's query id (UUID-like, as Snowflake's), usable with RESULT_SCAN. */
  readonly queryId?: string;
}
