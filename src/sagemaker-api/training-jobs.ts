import { RecpipeError } from '../core/errors.js';
import { OPTION_KEYS } from '../engine/index.js';
import type { TrainingJob } from '../jobs/index.js';
import type { TableName } from '../warehouse/index.js';
import { requireUsage, type Operation, type SageMakerContext } from './api-context.js';
import { arn, awsError, epochSeconds } from './aws-errors.js';
import { name, object, optionalInteger, page, stringMap, text } from './fields.js';
import type { AwsRequest } from './records.js';

/** HyperParameters that name the tables; the job's options have the names train_and_get_recommendations takes (OPTION_KEYS); every other one is the algorithm's own. */
const TABLE_KEYS: Readonly<Record<string, 'input' | 'output' | 'database' | 'schema'>> = {
  input: 'input',
  input_table: 'input',
  output: 'output',
  output_table: 'output',
  database: 'database',
  schema: 'schema',
};

/** HyperParameters are strings in SageMaker; recpipe's configs want numbers, booleans and objects back. */
function hyperValue(v: string): unknown {
  const t = v.trim();
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t.startsWith('{')) {
    try {
      return JSON.parse(t);
    } catch {
      return v;
    }
  }
  return v;
}

function hyperObject(key: string, v: string): Record<string, unknown> {
  const parsed = hyperValue(v);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw awsError(
      'ValidationException',
      `HyperParameters.${key} must be a JSON object of name: value, got ${JSON.stringify(v).slice(0, 100)}`,
    );
  return parsed as Record<string, unknown>;
}

function integerHyper(key: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw awsError('ValidationException', `HyperParameters.${key} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

export const createTrainingJob: Operation = async (ctx, caller, req) => {
  const jobName = name(req, 'TrainingJobName');
  requireUsage(ctx, caller, 'train_and_get_recommendations', 'CreateTrainingJob');
  // Required by SageMaker; recorded and answered back, not used by a one-machine trainer.
  object(req, 'AlgorithmSpecification');
  text(req, 'RoleArn');
  object(req, 'OutputDataConfig');
  object(req, 'ResourceConfig');
  const stopping = object(req, 'StoppingCondition') as AwsRequest;
  const maxRuntimeSeconds = optionalInteger(stopping, 'MaxRuntimeInSeconds', 1, 28 * 24 * 3600);
  if (ctx.records.get('trainingJobs', jobName))
    throw awsError(
      'ResourceInUse',
      `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn(ctx.region, 'training-job', jobName)})`,
    );
  const tables: Record<string, string> = {};
  const options: Record<string, unknown> = {};
  const hyperparameters: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stringMap(req, 'HyperParameters'))) {
    const table = TABLE_KEYS[k.toLowerCase()];
    const option = Object.hasOwn(OPTION_KEYS, k.toLowerCase()) ? OPTION_KEYS[k.toLowerCase()] : undefined;
    if (table) tables[table] = v;
    else if (option === 'hyperparameters') Object.assign(hyperparameters, hyperObject(k, v));
    else if (option === 'algorithm') options.algorithm = v;
    else if (option) options[option] = integerHyper(k, v);
    else hyperparameters[k] = hyperValue(v);
  }
  if (tables.input === undefined || tables.output === undefined)
    throw awsError(
      'ValidationException',
      "HyperParameters must name the tables: 'input' (ratings: user, item, rating) and 'output' (top-N per user)",
    );
  const session = ctx.engine.createSession({ database: tables.database, schema: tables.schema });
  const input = ctx.engine.resolveTableName(session, tables.input);
  // The key's role needs what train_and_get_recommendations needs in SQL: SELECT on the ratings, and
  // INSERT and TRUNCATE on the output (or CREATE TABLE in its schema); the role owns the job.
  ctx.engine.jobAccess.checkReads(caller.role, [input]);
  const started = await ctx.engine.jobs.start(
    {
      ...options,
      input,
      output: ctx.engine.resolveTableName(session, tables.output),
      hyperparameters,
      ...(maxRuntimeSeconds === undefined ? {} : { maxRuntimeSeconds }),
    },
    ctx.engine.jobAccess.authorizer(caller.role),
  );
  ctx.records.put('trainingJobs', jobName, { job: started.name, request: req });
  return { TrainingJobArn: arn(ctx.region, 'training-job', jobName) };
};

/** The recpipe job a SageMaker name stands for: one created here, or any recpipe job by its own name. */
function jobOf(ctx: SageMakerContext, jobName: string): { job: TrainingJob; request: AwsRequest } {
  const record = ctx.records.get('trainingJobs', jobName);
  try {
    return { job: ctx.engine.jobs.get(record?.job ?? jobName), request: record?.request ?? {} };
  } catch (e) {
    if (e instanceof RecpipeError && e.code === 'NOT_FOUND')
      throw awsError('ResourceNotFound', `Requested resource not found: training job ${jobName}`);
    throw e;
  }
}

export const describeTrainingJob: Operation = (ctx, caller, req) => {
  const jobName = name(req, 'TrainingJobName');
  const { job, request } = jobOf(ctx, jobName);
  if (!caller.owner && !ctx.engine.jobAccess.canSee(caller.role, job.name))
    throw awsError('ResourceNotFound', `Requested resource not found: training job ${jobName}`);
  const metrics = job.metrics;
  const ended = job.trainingEndTime;
  return {
    TrainingJobName: jobName,
    TrainingJobArn: arn(ctx.region, 'training-job', jobName),
    TrainingJobStatus: job.status,
    SecondaryStatus: job.secondaryStatus,
    ...(job.failureReason ? { FailureReason: job.failureReason } : {}),
    ModelArtifacts: { S3ModelArtifacts: job.artifactUri ?? '' },
    HyperParameters: request.HyperParameters ?? {
      input: display(job.spec.input),
      output: display(job.spec.output),
      algorithm: job.spec.algorithm,
    },
    AlgorithmSpecification: request.AlgorithmSpecification ?? { TrainingImage: `recpipe/${job.spec.algorithm}`, TrainingInputMode: 'File' },
    RoleArn: request.RoleArn ?? arn(ctx.region, 'role', 'recpipe'),
    ...(request.InputDataConfig ? { InputDataConfig: request.InputDataConfig } : {}),
    OutputDataConfig: request.OutputDataConfig ?? { S3OutputPath: job.artifactUri ?? '' },
    ResourceConfig: request.ResourceConfig ?? { InstanceCount: 1, InstanceType: 'local', VolumeSizeInGB: 1 },
    StoppingCondition: { ...((request.StoppingCondition as object) ?? {}), MaxRuntimeInSeconds: job.spec.maxRuntimeSeconds },
    CreationTime: epochSeconds(job.creationTime),
    TrainingStartTime: epochSeconds(job.trainingStartTime),
    TrainingEndTime: epochSeconds(ended),
    LastModifiedTime: epochSeconds(job.lastModifiedTime),
    SecondaryStatusTransitions: job.secondaryStatusTransitions.map((t) => ({
      Status: t.status,
      StartTime: epochSeconds(t.startTime),
      ...(t.endTime ? { EndTime: epochSeconds(t.endTime) } : {}),
      StatusMessage: t.statusMessage,
    })),
    ...(metrics?.cv
      ? {
          FinalMetricDataList: [
            { MetricName: 'validation:rmse', Value: metrics.cv.mean.rmse, Timestamp: epochSeconds(ended) },
            { MetricName: 'validation:mae', Value: metrics.cv.mean.mae, Timestamp: epochSeconds(ended) },
          ],
        }
      : {}),
    ...(metrics ? { TrainingTimeInSeconds: Math.round(metrics.phases.totalSeconds), BillableTimeInSeconds: 0 } : {}),
  };
};

const display = (t: TableName): string => `${t.database}.${t.schema}.${t.name}`;

export const listTrainingJobs: Operation = (ctx, caller, req) => {
  const named = new Map(ctx.records.entries('trainingJobs').map(([n, r]) => [r.job, n]));
  const visible = ctx.engine.jobs.list().filter((job) => caller.owner || ctx.engine.jobAccess.canSee(caller.role, job.name));
  const all = visible.map((job) => ({
    job,
    name: named.get(job.name) ?? job.name,
    status: job.status,
    created: epochSeconds(job.creationTime) ?? 0,
  }));
  const { items, NextToken } = page(req, all, { Name: (t) => t.name, CreationTime: (t) => t.created, Status: (t) => t.status });
  return {
    TrainingJobSummaries: items.map(({ job, name: n }) => ({
      TrainingJobName: n,
      TrainingJobArn: arn(ctx.region, 'training-job', n),
      CreationTime: epochSeconds(job.creationTime),
      ...(job.trainingEndTime ? { TrainingEndTime: epochSeconds(job.trainingEndTime) } : {}),
      LastModifiedTime: epochSeconds(job.lastModifiedTime),
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondaryStatus,
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};

export const stopTrainingJob: Operation = (ctx, caller, req) => {
  const jobName = name(req, 'TrainingJobName');
  const { job } = jobOf(ctx, jobName);
  ctx.engine.jobAccess.requireOwner(caller.role, job.name, 'stopping it');
  try {
    ctx.engine.jobs.stop(job.name);
  } catch (e) {
    if (e instanceof RecpipeError && e.code === 'FAILED_PRECONDITION')
      throw awsError('ValidationException', `The training job ${jobName} is ${job.status}: only InProgress jobs can be stopped`);
    throw e;
  }
  return {};
};
