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

const TARGET = /^SageMaker\.([A-Za-z]+)$/;

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
    return awsJsonReply(await run(ctx, caller, requestObject(body)));
  } catch (e) {
    return awsErrorReply(e);
  }
}
