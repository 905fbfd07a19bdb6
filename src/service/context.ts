import type { Authenticator } from '../auth/index.js';
import type { Engine } from '../engine/index.js';
import type { WarehouseLink } from '../external/index.js';
import type { JobWatch } from './job-watch.js';
import type { SessionStore } from './session-store.js';

/** The part of the engine the service needs; the handlers see nothing else. */
export type ServiceEngine = Pick<
  Engine,
  | 'createSession'
  | 'endSession'
  | 'execute'
  | 'insertFiles'
  | 'resolveTableName'
  | 'jobs'
  | 'endpoints'
  | 'links'
  | 'access'
  | 'artifactRefs'
  | 'upload'
  | 'transfer'
  | 'jobAccess'
  | 'endpointAccess'
  | 'deployments'
>;

/** What every handler receives: the engine, the live sessions and facts about this server. */
export interface ServiceContext {
  readonly engine: ServiceEngine;
  readonly sessions: SessionStore;
  /** Long polls on training jobs, woken by the job manager's status events. */
  readonly jobWatch: JobWatch;
  /** Aborted when the server starts closing, so long polls answer at once instead of holding the shutdown. */
  readonly closing: AbortSignal;
  readonly home: string;
  readonly version: string;
  readonly pid: number;
  /** Resolves each request's credential (owner token or API key) into a caller. */
  readonly auth: Authenticator;
  readonly limits: ServiceLimits;
  /** The warehouse /ext/train reads and writes tables in; absent: this home. */
  readonly warehouseLink?: WarehouseLink;
}

/** Bounds on what one request may ask of the server (413 or 429 past them). */
export interface ServiceLimits {
  readonly maxSqlBytes: number;
  readonly maxStatements: number;
  /** /api/v1 requests served at once; more get 429 with Retry-After. */
  readonly maxConcurrent: number;
  /** Lifetimes of Snowflake-protocol session tokens (renewed by drivers) and master tokens (a login's lifetime). */
  readonly snowflakeSessionTokenSeconds: number;
  readonly snowflakeMasterTokenSeconds: number;
}

export const DEFAULT_LIMITS: ServiceLimits = {
  maxSqlBytes: 4 * 1024 * 1024,
  maxStatements: 2_000,
  maxConcurrent: 64,
  snowflakeSessionTokenSeconds: 3_600,
  snowflakeMasterTokenSeconds: 4 * 3_600,
};
