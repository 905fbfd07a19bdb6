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
  /** Rows returned (queries) or affected (DML); 0 for other commands. */
  readonly rowCount: number;
  /** Snowflake's status text for commands, e.g. "Table RATINGS successfully created." */
  readonly message?: string;
}
