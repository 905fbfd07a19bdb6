import type { TableName } from '../../warehouse/index.js';
import type { NameContext } from '../identifiers.js';
import type { QueryHistory } from '../query-history.js';
import type { SessionVariable } from '../session.js';

/** A table the statement reads or writes, resolved to its full name. */
export interface TableRef {
  readonly table: TableName;
  readonly write: boolean;
  /** The statement creates this table or view (CREATE TABLE, CREATE VIEW): it need not exist yet. */
  readonly creates?: boolean;
}

/** What a statement is translated for: the session's current objects. */
export interface SessionContext extends NameContext {
  readonly role: string;
  readonly warehouse: string | null;
  readonly user?: string;
  readonly id?: string;
  readonly inTransaction?: boolean;
  /** The session's query ids and kept results (LAST_QUERY_ID, RESULT_SCAN). */
  readonly history?: QueryHistory;
  /** Session variables (`$name`). */
  readonly variables?: ReadonlyMap<string, SessionVariable>;
}

/** What every transform may read, and the table references name resolution records. */
export interface TransformContext {
  readonly session: SessionContext;
  /** The statement's verb for error messages (`Cannot perform SELECT …`). */
  readonly action: string;
  readonly refs: TableRef[];
  /** DuckDB SQL that replaces marker names after rendering (see ../splice.ts). */
  readonly splices: string[];
  /** INFORMATION_SCHEMA views the statement reads (filled as temporary tables before it runs). */
  readonly infoViews?: InfoView[];
}

/** A view of a database's INFORMATION_SCHEMA (`TABLES`, `COLUMNS` …). */
export interface InfoView {
  readonly database: string;
  readonly view: string;
}
