import type { Caller } from '../auth/index.js';
import type { Engine } from '../engine/index.js';
import type { SageMakerRecords } from './records.js';

/** What the control plane works on: recpipe's jobs, endpoints, access control and artifact references. */
export type SageMakerEngine = Pick<Engine, 'createSession' | 'resolveTableName' | 'jobs' | 'endpoints' | 'access' | 'artifactRefs'>;

export interface SageMakerContext {
  readonly engine: SageMakerEngine;
  readonly records: SageMakerRecords;
  /** The region ARNs name (the one SigV4 credentials are scoped to). */
  readonly region: string;
}

/** One operation: the caller and the parsed request in, the response object out. */
export type Operation = (ctx: SageMakerContext, caller: Caller, req: Readonly<Record<string, unknown>>) => unknown;
