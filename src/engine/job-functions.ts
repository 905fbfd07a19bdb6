import { invalid } from '../core/index.js';
import type { JobManager, JobRequest, TrainingJob } from '../jobs/index.js';
import { parseObjectName, resolveTableName } from '../sql/index.js';
import type { FunctionArg, FunctionCallContext, ScalarFunctionSpec } from '../warehouse/index.js';
import type { DeployRequest, Deployments } from './deployments.js';
import type { JobAccess } from './job-access.js';
import type { EndpointAccess } from './endpoint-access.js';

/** Option names accepted in the VARIANT third argument, Snowflake/Surprise spellings included. */
export const OPTION_KEYS: Readonly<Record<string, keyof JobRequest>> = {
  algorithm: 'algorithm',
  algo: 'algorithm',
  hyperparameters: 'hyperparameters',
  params: 'hyperparameters',
  folds: 'folds',
  cv: 'folds',
  top_n: 'topN',
  topn: 'topN',
  seed: 'seed',
  random_state: 'seed',
  max_runtime_seconds: 'maxRuntimeSeconds',
  search: 'search',
  maxruntimeinseconds: 'maxRuntimeSeconds',
  timestamp_column: 'timestampColumn',
};

/**
 * Options about the call rather than the job: `wait` (a task waits for the job before it ends) and
 * deploy-when-done: `deploy_to` (endpoint), `deploy_policy` (always | if_better), `holdout_table`
 * (held-out ratings both models are scored on, required by if_better), `deploy_margin` (default 0.01).
 */
const CALL_OPTIONS = new Set(['wait', 'deploy_to', 'deploy_policy', 'holdout_table', 'deploy_margin']);

function callOptions(v: FunctionArg | undefined): Record<string, unknown> {
  if (typeof v !== 'string') return {};
  try {
    const parsed = JSON.parse(v) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed)
        .filter(([k]) => CALL_OPTIONS.has(k.toLowerCase()))
        .map(([k, value]) => [k.toLowerCase(), value]),
    );
  } catch {
    return {};
  }
}

/** The deploy request of a training call, checked before its job starts; null when it asks for none. */
export function deployRequest(o: Record<string, unknown>, ctx: Pick<FunctionCallContext, 'database' | 'schema'>): DeployRequest | null {
  if (o.deploy_to === undefined) {
    if (o.deploy_policy !== undefined || o.holdout_table !== undefined)
      throw invalid('deploy_policy and holdout_table need deploy_to (the endpoint to deploy to)');
    return null;
  }
  if (typeof o.deploy_to !== 'string' || o.deploy_to.trim() === '')
    throw invalid(`deploy_to must be an endpoint name, got ${JSON.stringify(o.deploy_to)}`);
  const policy = o.deploy_policy ?? 'if_better';
  if (policy !== 'always' && policy !== 'if_better')
    throw invalid(`deploy_policy must be 'always' or 'if_better', got ${JSON.stringify(policy)}`);
  const margin = o.deploy_margin ?? 0.01;
  if (typeof margin !== 'number' || !(margin >= 0 && margin < 1))
    throw invalid(`deploy_margin must be a number in [0, 1), got ${JSON.stringify(margin)}`);
  if (policy === 'if_better' && o.holdout_table === undefined)
    throw invalid("deploy_policy 'if_better' needs holdout_table: the held-out ratings both models are scored on");
  const holdout = o.holdout_table === undefined ? null : tableArg(o.holdout_table as FunctionArg, 'holdout_table', ctx);
  return { endpoint: o.deploy_to.trim(), policy, holdout, margin };
}

function tableArg(v: FunctionArg, what: string, ctx: Pick<FunctionCallContext, 'database' | 'schema'>) {
  if (typeof v !== 'string')
    throw invalid(`${what} must be a table name string such as 'MOVIELENS.PUBLIC.RATINGS_TRAIN_DATA', got ${JSON.stringify(v)}`);
  // parseObjectName accepts only 1–3 identifiers joined by dots: anything else ('x; drop table y') is refused here.
  return resolveTableName(parseObjectName(v), ctx, 'train_and_get_recommendations');
}

function options(v: FunctionArg | undefined): Partial<JobRequest> {
  if (v === undefined || v === null) return {};
  let parsed: unknown;
  try {
    parsed = typeof v === 'string' ? JSON.parse(v) : v;
  } catch {
    throw invalid(`options must be a JSON object (e.g. parse_json('{"algorithm":"svd","folds":5}')), got ${JSON.stringify(v)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid(`options must be a JSON object, got ${JSON.stringify(v)}`);
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(parsed)) {
    if (CALL_OPTIONS.has(k.toLowerCase())) continue;
    const key = OPTION_KEYS[k.toLowerCase()];
    if (!key) throw invalid(`unknown option '${k}' of train_and_get_recommendations; known: ${Object.keys(OPTION_KEYS).join(', ')}`);
    out[key] = value;
  }
  return out as Partial<JobRequest>;
}

/** One train_and_get_recommendations row as a job request (the SQL function and the external-function service share it). */
export function trainRequest(input: FunctionArg, output: FunctionArg, opts: FunctionArg | undefined, ctx: FunctionCallContext): JobRequest {
  const o = options(opts);
  return {
    input: tableArg(input, 'input_table_name', ctx),
    output: tableArg(output, 'output_table_name', ctx),
    ...o,
    ...resultsTable(o.search, ctx),
  };
}

/**
 * A search's `results_table`, taken out of the search and resolved against the session's database and
 * schema as the other tables are (the SQL function and the HTTP jobs API share it).
 */
export function resultsTable(
  search: unknown,
  ctx: Pick<FunctionCallContext, 'database' | 'schema'>,
): Pick<JobRequest, 'search' | 'resultsTable'> {
  if (typeof search !== 'object' || search === null || Array.isArray(search)) return {};
  const key = Object.keys(search).find((k) => k.toLowerCase().replace(/_/g, '') === 'resultstable');
  if (key === undefined) return {};
  const { [key]: name, ...rest } = search as Record<string, unknown>;
  return { search: rest, resultsTable: tableArg(name as FunctionArg, 'search.results_table', ctx) };
}

/** The VARIANT a training call answers with: the job to watch, where its model will be, and links. */
export function describeJobStart(
  job: TrainingJob,
  artifact: string,
  baseUrl: string | null,
  wait = false,
  deploy: DeployRequest | null = null,
): string {
  return JSON.stringify({
    ...(wait ? { Wait: true } : {}),
    ...(deploy ? { DeployTo: deploy.endpoint, DeployPolicy: deploy.policy } : {}),
    TrainingJobName: job.name,
    TrainingJobId: job.id,
    TrainingJobStatus: job.status,
    SecondaryStatus: job.secondaryStatus,
    InputTable: display(job.spec.input),
    OutputTable: display(job.spec.output),
    // Both tables are in the warehouse linked to this service, not in its own home.
    ...(job.spec.warehouse === undefined ? {} : { Warehouse: job.spec.warehouse }),
    ModelArtifact: artifact,
    // Without a server, where to look instead: the SQL statement and the CLI command.
    Describe: baseUrl === null ? `describe training job ${job.name}` : `${baseUrl}/api/v1/training-jobs/${job.name}`,
    Logs: baseUrl === null ? `recpipe jobs logs ${job.name}` : `${baseUrl}/api/v1/training-jobs/${job.name}/logs`,
  });
}

const display = (t: { database: string; schema: string; name: string }) => `${t.database}.${t.schema}.${t.name}`;

/**
 * train_and_get_recommendations(input_table, output_table [, options]): one training job per row,
 * started at once (the function answers while the job runs, as the guide's external function does).
 * The caller's role needs SELECT on the input and holdout tables (checked at the call) and may
 * replace or create the output table (checked with the tables, before the job reads anything).
 */
export function jobFunctions(
  jobs: JobManager,
  links: { readonly baseUrl: string | null },
  deployments: Deployments,
  access: JobAccess,
  endpointOwners: EndpointAccess,
): ScalarFunctionSpec[] {
  const train = (args: readonly (readonly FunctionArg[])[], rows: number, ctx: FunctionCallContext) =>
    Array.from({ length: rows }, (_, r) => {
      if (args[0][r] === null || args[1][r] === null) return null;
      const call = callOptions(args[2]?.[r]);
      const deploy = deployRequest(call, ctx);
      const role = ctx.role ?? 'PUBLIC';
      const request = trainRequest(args[0][r], args[1][r], args[2]?.[r], ctx);
      access.checkReads(role, deploy?.holdout ? [request.input, deploy.holdout] : [request.input]);
      if (deploy) endpointOwners.deploying(role, deploy.endpoint);
      const job = jobs.submit(request, ctx.session, undefined, access.authorizer(role));
      if (deploy) deployments.follow(job.name, deploy);
      return describeJobStart(job, jobs.artifactLocation(job.name), links.baseUrl, call.wait === true, deploy);
    });
  return [
    { name: 'train_and_get_recommendations', parameters: ['ANY', 'ANY'], returns: 'JSON', invoke: train },
    { name: 'train_and_get_recommendations', parameters: ['ANY', 'ANY', 'ANY'], returns: 'JSON', invoke: train },
  ];
}
