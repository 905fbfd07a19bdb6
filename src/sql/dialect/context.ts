import type { TableName } from '../../warehouse/index.js';
import type { NameContext } from '../identifiers.js';

/** A table the statement reads or writes, resolved to its full name. */
export interface TableRef {
  readonly table: TableName;
  readonly write: boolean;
}

/** What a statement is translated for: the session's current objects. */
export interface SessionContext extends NameContext {
  readonly role: string;
  readonly warehouse: string | null;
  readonly user?: string;
}

/** What every transform may read, and the table references name resolution records. */
export interface TransformContext {
  readonly session: SessionContext;
  /** The statement's verb for error messages (`Cannot perform SELECT …`). */
  readonly action: string;
  readonly refs: TableRef[];
  /** INFORMATION_SCHEMA views the statement reads (filled as temporary tables before it runs). */
  readonly infoViews?: InfoView[];
}

/** A view of a database's INFORMATION_SCHEMA (`TABLES`, `COLUMNS` …). */
export interface InfoView {
  readonly database: string;
  readonly view: string;
}
