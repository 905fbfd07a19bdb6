import type { Engine } from '../engine/index.js';
import type { SessionStore } from './session-store.js';

/** The part of the engine the service needs; the handlers see nothing else. */
export type ServiceEngine = Pick<Engine, 'createSession' | 'execute'>;

/** What every handler receives: the engine, the live sessions and facts about this server. */
export interface ServiceContext {
  readonly engine: ServiceEngine;
  readonly sessions: SessionStore;
  readonly home: string;
  readonly version: string;
  readonly pid: number;
}
