import type { Caller } from '../auth/index.js';
import { RecpipeError } from '../core/errors.js';
import type { Engine } from '../engine/index.js';
import type { SageMakerRecords } from './records.js';

/** What the control plane works on: recpipe's jobs, endpoints, access control, owners and artifact references. */
export type SageMakerEngine = Pick<
  Engine,
  'createSession' | 'resolveTableName' | 'jobs' | 'endpoints' | 'access' | 'artifactRefs' | 'jobAccess' | 'endpointAccess'
>;

export interface SageMakerContext {
  readonly engine: SageMakerEngine;
  readonly records: SageMakerRecords;
  /** The region ARNs name (the one SigV4 credentials are scoped to). */
  readonly region: string;
}

/** One operation: the caller and the parsed request in, the response object out. */
export type Operation = (ctx: SageMakerContext, caller: Caller, req: Readonly<Record<string, unknown>>) => unknown;

/**
 * A key holder may do through the control plane what its role may do through SQL and /ext/*: train
 * with USAGE on train_and_get_recommendations, deploy with USAGE on deploy_model (the guide's grants).
 */
export function requireUsage(
  ctx: SageMakerContext,
  caller: Caller,
  fn: 'train_and_get_recommendations' | 'deploy_model',
  op: string,
): void {
  if (caller.owner || ctx.engine.access.hasUsage(caller.role, fn)) return;
  throw new RecpipeError(
    'PERMISSION_DENIED',
    `User: ${caller.user ?? caller.name} (role ${caller.role}) is not authorized to perform sagemaker:${op}: the role lacks USAGE on function ${fn.toUpperCase()}; grant usage on it to role ${caller.role}`,
  );
}
