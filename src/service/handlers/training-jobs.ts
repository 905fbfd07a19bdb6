import type { Caller } from '../../auth/index.js';
import { RecpipeError, invalid, notFound } from '../../core/errors.js';
import { deployRequest, resultsTable, type DeployDecision, type Session } from '../../engine/index.js';
import type { JobRequest, TrainingCurves, TrainingJob } from '../../jobs/index.js';
import type { ServiceContext } from '../context.js';
import { DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS, type StartJobBody } from '../training-job-schemas.js';

/** A key's role sees only the jobs it owns or holds a privilege on (as SHOW TRAINING JOBS); the home's owner sees all. */
const visibleTo = (ctx: ServiceContext, caller: Caller, name: string): boolean =>
  caller.owner || ctx.engine.jobAccess.canSee(caller.role, name);

export function listJobs(ctx: ServiceContext, caller: Caller): { trainingJobs: TrainingJob[] } {
  return { trainingJobs: ctx.engine.jobs.list().filter((j) => visibleTo(ctx, caller, j.name)) };
}

/** The job, or the same NOT_FOUND a missing one gets when the caller may not see it. */
function visibleJob(ctx: ServiceContext, caller: Caller, name: string): TrainingJob {
  const job = ctx.engine.jobs.get(name);
  if (!visibleTo(ctx, caller, job.name)) throw notFound(`training job ${JSON.stringify(name)} does not exist`, { job: name });
  return job;
}

export function describeJob(ctx: ServiceContext, caller: Caller, name: string): TrainingJob {
  return visibleJob(ctx, caller, name);
}

export function jobLogs(ctx: ServiceContext, caller: Caller, name: string): Promise<string> {
  visibleJob(ctx, caller, name);
  return ctx.engine.jobs.logs(name);
}

/** The job's training curves so far (they grow while it trains). */
export function jobCurves(ctx: ServiceContext, caller: Caller, name: string): TrainingCurves {
  visibleJob(ctx, caller, name);
  return ctx.engine.jobs.curves(name);
}

/** Stopping a job is its owner role's (a key acts as its role; the home's owner may stop any). */
export function stopJob(ctx: ServiceContext, caller: Caller, name: string): TrainingJob {
  ctx.engine.jobs.get(name);
  if (!caller.owner) ctx.engine.jobAccess.requireOwner(caller.role, name, 'stopping it');
  return ctx.engine.jobs.stop(name);
}

/**
 * Starts a job on two tables named as in SQL: resolved in the given session, or against the
 * database/schema in the body, or fully qualified. The tables (and a deploy request's holdout table)
 * are checked before the job is queued, and the session's role (the caller's own session, or a new one in
 * its user's default role) needs the privileges train_and_get_recommendations needs in SQL. With
 * `deployTo`, the model is deployed when the job completes under `deployPolicy`, as with the SQL
 * function's options; with `wait`, the answer is the ended job and its `deployment` decision.
 */
export async function startJob(
  ctx: ServiceContext,
  caller: Caller,
  body: StartJobBody,
): Promise<TrainingJob & { deployment?: DeployDecision | null }> {
  const { input, output, sessionId, database, schema, deployTo, deployPolicy, holdoutTable, deployMargin, wait, ...options } = body;
  if (sessionId !== undefined && (database !== undefined || schema !== undefined)) {
    throw invalid('give either sessionId or database/schema to resolve table names, not both');
  }
  const session: Session =
    sessionId !== undefined
      ? ctx.sessions.get(sessionId, caller.prefix)
      : ctx.engine.createSession(caller.owner ? { database, schema } : { user: callerUser(caller), database, schema });
  const deploy = deployRequest(
    { deploy_to: deployTo, deploy_policy: deployPolicy, holdout_table: holdoutTable, deploy_margin: deployMargin },
    session,
  );
  const request: JobRequest = {
    ...options,
    input: ctx.engine.resolveTableName(session, input),
    output: ctx.engine.resolveTableName(session, output),
    ...resultsTable(options.search, session),
  };
  ctx.engine.jobAccess.checkReads(session.role, [request.input]);
  const job = await ctx.engine.jobs.start(request, ctx.engine.jobAccess.authorizer(session.role));
  if (deploy) ctx.engine.deployments.follow(job.name, deploy);
  if (wait !== true) return job;
  const ended = await ctx.jobWatch.wait(job.name, MAX_WAIT_SECONDS * 1000, ctx.closing);
  const decision = deploy && ended.status === 'Completed' ? await ctx.engine.deployments.decided(job.name) : undefined;
  return { ...ended, deployment: decision ?? null };
}

function callerUser(caller: Caller): string {
  if (caller.user === null)
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `API key '${caller.name}' has no user and may only call /ext/*; create a key with a user: recpipe keys create --role ${caller.role} --name <name>`,
    );
  return caller.user;
}

/** Long poll: the job once it has ended, or as it is after `timeoutSeconds` (or when the server or client goes away). */
export function waitForJob(
  ctx: ServiceContext,
  caller: Caller,
  name: string,
  timeoutSeconds: string | undefined,
  clientGone: AbortSignal,
): Promise<TrainingJob> {
  const seconds = timeoutSeconds === undefined ? DEFAULT_WAIT_SECONDS : Number(timeoutSeconds);
  if (!(seconds <= MAX_WAIT_SECONDS)) throw invalid(`timeoutSeconds must be at most ${MAX_WAIT_SECONDS}, got ${timeoutSeconds}`);
  visibleJob(ctx, caller, name);
  return ctx.jobWatch.wait(name, seconds * 1000, AbortSignal.any([ctx.closing, clientGone]));
}
