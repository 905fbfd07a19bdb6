import type { Engine } from '../engine/index.js';
import type { JobWatch } from './job-watch.js';
import type { SessionStore } from './session-store.js';

/** The part of the engine the service needs; the handlers see nothing else. */
export type ServiceEngine = Pick<Engine, 'createSession' | 'endSession' | 'execute' | 'resolveTableName' | 'jobs' | 'endpoints' | 'links' | 'access'>;

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
}
