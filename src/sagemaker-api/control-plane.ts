import type { Caller } from '../auth/index.js';
import type { HttpReply } from '../serving/index.js';
import type { Operation, SageMakerContext } from './api-context.js';
import { awsError, awsErrorReply, awsJsonReply } from './aws-errors.js';
import * as endpoints from './endpoints.js';
import { requestObject } from './fields.js';
import * as models from './models.js';
import * as jobs from './training-jobs.js';

/** The SageMaker operations recpipe answers, by X-Amz-Target's operation name. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateTrainingJob: jobs.createTrainingJob,
  DescribeTrainingJob: jobs.describeTrainingJob,
  ListTrainingJobs: jobs.listTrainingJobs,
  StopTrainingJob: jobs.stopTrainingJob,
  CreateModel: models.createModel,
  DescribeModel: models.describeModel,
  DeleteModel: models.deleteModel,
  ListModels: models.listModels,
  CreateEndpointConfig: models.createEndpointConfig,
  DescribeEndpointConfig: models.describeEndpointConfig,
  DeleteEndpointConfig: models.deleteEndpointConfig,
  ListEndpointConfigs: models.listEndpointConfigs,
  CreateEndpoint: endpoints.createEndpoint,
  UpdateEndpoint: endpoints.updateEndpoint,
  DescribeEndpoint: endpoints.describeEndpoint,
  ListEndpoints: endpoints.listEndpoints,
  DeleteEndpoint: endpoints.deleteEndpoint,
};

const LIST = [
  'NameContains',
  'StatusEquals',
  'SortBy',
  'SortOrder',
  'MaxResults',
  'NextToken',
  'CreationTimeAfter',
  'CreationTimeBefore',
  'LastModifiedTimeAfter',
  'LastModifiedTimeBefore',
];
const TAGGED = ['Tags', 'VpcConfig', 'EnableNetworkIsolation'];

/**
 * The members each operation's input has in SageMaker's model (SDKs send only these): anything else
 * is refused by name rather than ignored, so a misspelt field is reported. Accepted members recpipe
 * has no use for are recorded and answered back by Describe*.
 */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  CreateTrainingJob: [
    'TrainingJobName',
    'HyperParameters',
    'AlgorithmSpecification',
    'RoleArn',
    'InputDataConfig',
    'OutputDataConfig',
    'ResourceConfig',
    'StoppingCondition',
    'EnableInterContainerTrafficEncryption',
    'EnableManagedSpotTraining',
    'CheckpointConfig',
    'DebugHookConfig',
    'DebugRuleConfigurations',
    'TensorBoardOutputConfig',
    'ExperimentConfig',
    'ProfilerConfig',
    'ProfilerRuleConfigurations',
    'Environment',
    'RetryStrategy',
    'RemoteDebugConfig',
    'InfraCheckConfig',
    'SessionChainingConfig',
    ...TAGGED,
  ],
  DescribeTrainingJob: ['TrainingJobName'],
  ListTrainingJobs: [...LIST, 'WarmPoolStatusEquals', 'TrainingPlanArnEquals'],
  StopTrainingJob: ['TrainingJobName'],
  CreateModel: ['ModelName', 'PrimaryContainer', 'Containers', 'InferenceExecutionConfig', 'ExecutionRoleArn', ...TAGGED],
  DescribeModel: ['ModelName'],
  DeleteModel: ['ModelName'],
  ListModels: LIST,
  CreateEndpointConfig: [
    'EndpointConfigName',
    'ProductionVariants',
    'DataCaptureConfig',
    'KmsKeyId',
    'AsyncInferenceConfig',
    'ExplainerConfig',
    'ShadowProductionVariants',
    'ExecutionRoleArn',
    ...TAGGED,
  ],
  DescribeEndpointConfig: ['EndpointConfigName'],
  DeleteEndpointConfig: ['EndpointConfigName'],
  ListEndpointConfigs: LIST,
  CreateEndpoint: ['EndpointName', 'EndpointConfigName', 'DeploymentConfig', 'Tags'],
  UpdateEndpoint: [
    'EndpointName',
    'EndpointConfigName',
    'RetainAllVariantProperties',
    'ExcludeRetainedVariantProperties',
    'DeploymentConfig',
    'RetainDeploymentConfig',
  ],
  DescribeEndpoint: ['EndpointName'],
  ListEndpoints: LIST,
  DeleteEndpoint: ['EndpointName'],
};

const TARGET = /^SageMaker\.([A-Za-z]+)$/;

function checkFields(op: string, req: Readonly<Record<string, unknown>>): void {
  const known = FIELDS[op] ?? [];
  const unknown = Object.keys(req).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw awsError(
      'ValidationException',
      `${op} has no member ${unknown
        .slice(0, 3)
        .map((k) => JSON.stringify(k.slice(0, 64)))
        .join(', ')}; its members are ${known.join(', ')}`,
    );
  }
}

/**
 * `POST /` with `X-Amz-Target: SageMaker.<Op>` and an `application/x-amz-json-1.1` body: the
 * operation's answer, or SageMaker's error (`__type` and `x-amzn-errortype`, `message`).
 */
export async function controlPlane(
  ctx: SageMakerContext,
  caller: Caller,
  target: string | string[] | undefined,
  body: string | undefined,
): Promise<HttpReply> {
  try {
    const op = typeof target === 'string' ? TARGET.exec(target)?.[1] : undefined;
    if (op === undefined) {
      throw awsError(
        'UnknownOperationException',
        `X-Amz-Target must be SageMaker.<Operation>, got ${JSON.stringify(target ?? null)?.slice(0, 100)}`,
      );
    }
    const run = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    if (!run)
      throw awsError(
        'UnknownOperationException',
        `recpipe does not implement SageMaker.${op}; it answers ${Object.keys(OPERATIONS).join(', ')}`,
      );
    const req = requestObject(body);
    checkFields(op, req);
    return awsJsonReply(await run(ctx, caller, req));
  } catch (e) {
    return awsErrorReply(e);
  }
}
