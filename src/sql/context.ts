import type { SqlParam, Warehouse, WarehouseConnection } from '../warehouse/index.js';
import type { AccessControl } from '../access/index.js';
import type { ExternalFunctions } from '../external/index.js';
import type { Catalog } from './catalog.js';
import type { StatementParse } from './dialect/index.js';
import type { Session } from './session.js';
import type { StageStore } from './stages.js';
import type { ObjectListing } from './statements/listings.js';
import type { Statement } from './tokens.js';
import type { StreamStore } from './streams.js';
import type { TaskControl } from './task-control.js';

/** Where recpipe keeps a database's file (chosen by the engine, which owns the home layout). */
export type DatabaseFileOf = (database: string) => string;

/** Everything a statement handler may use. */
export interface ExecContext {
  readonly session: Session;
  readonly statement: Statement;
  readonly params: readonly SqlParam[];
  /** The connection all statements of this request run on (transactions span statements). */
  readonly conn: WarehouseConnection;
  readonly warehouse: Warehouse;
  readonly catalog: Catalog;
  readonly databaseFile: DatabaseFileOf;
  /** Objects owned elsewhere in recpipe that SHOW and DESCRIBE also know (training jobs, endpoints). */
  readonly listings: readonly ObjectListing[];
  /** Roles, users and grants (checked by USE ROLE, GRANT, CREATE ROLE …). */
  readonly access: AccessControl;
  /** API integrations and external functions (absent: those statements report they are unavailable). */
  readonly externals?: ExternalFunctions;
  /** Named stages and user stages (absent: stage statements report they are unavailable). */
  readonly stages?: StageStore;
  /** Tasks and their scheduler (absent: task statements report they are unavailable). */
  readonly tasks?: TaskControl;
  /** Streams and their offsets (absent: stream statements report they are unavailable). */
  readonly streams?: StreamStore;
  /** The statement's syntax tree, shared by its privilege check and its translation (one parse). */
  readonly parsed?: StatementParse;
  /** An INSERT's array binds as CSV files (a driver's bind stage), loaded instead of bound values. */
  readonly bindFiles?: readonly string[];
}
