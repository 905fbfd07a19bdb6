import { RecpipeError, invalid } from '../core/index.js';
import type { JobManager } from '../jobs/index.js';
import type { StatementResult } from '../sql/index.js';
import type { FunctionArg, ScalarFunctionSpec } from '../warehouse/index.js';
import type { Deployments } from './deployments.js';

const MARK = 'WaitForTrainingJob';

/**
 * SYSTEM$WAIT_FOR_TRAINING_JOB('<job>' [, timeout_s]): SQL functions run inside DuckDB's synchronous
 * callback and cannot wait, so the function only checks the job exists and answers a marker; once
 * the statement has run, `settleWaits` awaits each marked job and puts its outcome in the cell. A job
 * that ended Failed or Stopped, or is still running at the timeout, fails the statement — so a task
 * body that waits fails its run and its AFTER children do not run.
 */
export function waitFunctions(jobs: JobManager): ScalarFunctionSpec[] {
  const wait = (args: readonly (readonly FunctionArg[])[], rows: number) =>
    Array.from({ length: rows }, (_, r) => {
      const name = args[0][r];
      if (name === null) return null;
      if (typeof name !== 'string') throw invalid(`system$wait_for_training_job takes a training job name, got ${JSON.stringify(name)}`);
      jobs.get(name);
      const timeout = args[1]?.[r] ?? null;
      if (timeout !== null && !(typeof timeout === 'number' && timeout > 0))
        throw invalid(`the timeout of system$wait_for_training_job is a number of seconds > 0, got ${JSON.stringify(timeout)}`);
      return JSON.stringify({ [MARK]: name, TimeoutSeconds: timeout });
    });
  return [
    { name: 'system$wait_for_training_job', parameters: ['ANY'], returns: 'JSON', invoke: wait },
    { name: 'system$wait_for_training_job', parameters: ['ANY', 'ANY'], returns: 'JSON', invoke: wait },
  ];
}

/** Replaces each wait marker in a statement's rows with the job's outcome, once it has one. */
export function settleWaits(
  jobs: JobManager,
  deployments: Deployments,
): (result: StatementResult, signal?: AbortSignal) => Promise<StatementResult> {
  return async (result, signal) => {
    if (result.kind !== 'query' || !result.rows.some((row) => row.some((v) => marker(v) !== null))) return result;
    const rows: unknown[][] = [];
    for (const row of result.rows) {
      const out: unknown[] = [];
      for (const v of row) {
        const m = marker(v);
        out.push(m === null ? v : await outcome(jobs, deployments, m.job, m.timeoutS, signal));
      }
      rows.push(out);
    }
    return { ...result, rows };
  };
}

function marker(v: unknown): { job: string; timeoutS: number | null } | null {
  let o = v;
  if (typeof o === 'string') {
    if (!o.startsWith(`{"${MARK}"`)) return null;
    o = JSON.parse(o);
  }
  if (typeof o !== 'object' || o === null || !(MARK in o)) return null;
  const m = o as Record<string, unknown>;
  return { job: String(m[MARK]), timeoutS: typeof m.TimeoutSeconds === 'number' ? m.TimeoutSeconds : null };
}

async function outcome(
  jobs: JobManager,
  deployments: Deployments,
  name: string,
  timeoutS: number | null,
  signal: AbortSignal | undefined,
): Promise<string> {
  const job = await stoppingOnAbort(jobs, [name], signal, () => jobs.wait(name, timeoutS === null ? {} : { timeoutMs: timeoutS * 1000 }));
  if (job.status === 'InProgress')
    throw new RecpipeError(
      'RESOURCE_EXHAUSTED',
      `training job ${name} was still ${job.secondaryStatus} after ${timeoutS} s (system$wait_for_training_job timeout)`,
    );
  if (job.status !== 'Completed')
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `training job ${name} ended ${job.status}${job.failureReason ? `: ${job.failureReason}` : ''}`,
    );
  const decision = await deployments.decided(name);
  return JSON.stringify({
    TrainingJobName: name,
    TrainingJobStatus: job.status,
    ...(decision ? { Deployment: { Endpoint: decision.endpoint, Deployed: decision.deployed, Reason: decision.reason } } : {}),
  });
}

/** Runs `work`; if `signal` aborts meanwhile (a task run past its timeout) the jobs it waits for are stopped. */
export async function stoppingOnAbort<T>(
  jobs: JobManager,
  names: readonly string[],
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const stop = (): void => {
    for (const name of names) {
      try {
        jobs.stop(name);
      } catch {
        // it has already ended
      }
    }
  };
  signal?.addEventListener('abort', stop);
  if (signal?.aborted) stop();
  try {
    return await work();
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
