import type { Caller } from '../auth/index.js';
import { RecpipeError } from '../core/errors.js';
import type { EndpointDescription } from '../endpoints/index.js';
import { requireUsage, type Operation, type SageMakerContext } from './api-context.js';
import { arn, awsError, epochSeconds } from './aws-errors.js';
import { endpointConfig } from './models.js';
import { name, page } from './fields.js';

/** The production variant's name an endpoint answers with (AllTraffic, SageMaker's default, for endpoints made otherwise). */
export function variantOf(ctx: Pick<SageMakerContext, 'records'>, endpoint: string): string {
  return ctx.records.get('endpoints', endpoint)?.variant ?? 'AllTraffic';
}

function described(ctx: SageMakerContext, endpoint: string): EndpointDescription {
  try {
    return ctx.engine.endpoints.describe(endpoint);
  } catch (e) {
    if (e instanceof RecpipeError && e.code === 'NOT_FOUND')
      throw awsError('ValidationException', `Could not find endpoint "${arn(ctx.region, 'endpoint', endpoint)}".`);
    throw e;
  }
}

/** A deploy refused because one is in progress is SageMaker's ValidationException, not a conflict type. */
function deploy(ctx: SageMakerContext, endpoint: string, artifactUri: string): void {
  try {
    ctx.engine.endpoints.deploy(endpoint, artifactUri);
  } catch (e) {
    if (e instanceof RecpipeError && e.code === 'CONFLICT') throw awsError('ValidationException', e.message);
    throw e;
  }
}

export const createEndpoint: Operation = async (ctx, caller, req) => {
  requireUsage(ctx, caller, 'deploy_model', 'CreateEndpoint');
  const endpoint = name(req, 'EndpointName');
  const configName = name(req, 'EndpointConfigName');
  const config = endpointConfig(ctx, configName);
  if (ctx.engine.endpoints.list().some((d) => d.name.toLowerCase() === endpoint.toLowerCase() && d.status !== 'Failed'))
    throw awsError('ValidationException', `Cannot create already existing endpoint "${arn(ctx.region, 'endpoint', endpoint)}".`);
  ctx.engine.endpointAccess.deploying(caller.role, endpoint);
  deploy(ctx, endpoint, config.artifactUri);
  await ctx.engine.endpointAccess.recorded();
  ctx.records.put('endpoints', endpoint, { config: configName, variant: config.variant });
  return { EndpointArn: arn(ctx.region, 'endpoint', endpoint) };
};

/** UpdateEndpoint: the old model serves until the new config's model is loaded, then one swap (no request fails). */
export const updateEndpoint: Operation = (ctx, caller, req) => {
  requireUsage(ctx, caller, 'deploy_model', 'UpdateEndpoint');
  const endpoint = name(req, 'EndpointName');
  const configName = name(req, 'EndpointConfigName');
  const current = described(ctx, endpoint);
  if (current.status !== 'InService')
    throw awsError(
      'ValidationException',
      `Cannot update in-progress endpoint "${arn(ctx.region, 'endpoint', endpoint)}" (status ${current.status}).`,
    );
  const config = endpointConfig(ctx, configName);
  ctx.engine.endpointAccess.requireOwner(caller.role, endpoint, 'an update');
  deploy(ctx, endpoint, config.artifactUri);
  ctx.records.put('endpoints', endpoint, { config: configName, variant: config.variant });
  return { EndpointArn: arn(ctx.region, 'endpoint', endpoint) };
};

/** A key's role sees the endpoints it owns or holds a privilege on (as SHOW ENDPOINTS); the home's owner sees all. */
const sees = (ctx: SageMakerContext, caller: Caller, endpoint: string): boolean =>
  caller.owner || ctx.engine.endpointAccess.canSee(caller.role, endpoint);

export const describeEndpoint: Operation = (ctx, caller, req) => {
  const endpoint = name(req, 'EndpointName');
  if (!sees(ctx, caller, endpoint))
    throw awsError('ValidationException', `Could not find endpoint "${arn(ctx.region, 'endpoint', endpoint)}".`);
  const d = described(ctx, endpoint);
  const serving = d.status === 'InService' || d.status === 'Updating';
  return {
    EndpointName: d.name,
    EndpointArn: arn(ctx.region, 'endpoint', d.name),
    EndpointConfigName: ctx.records.get('endpoints', d.name)?.config ?? d.name,
    ProductionVariants: [
      {
        VariantName: variantOf(ctx, d.name),
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentInstanceCount: serving ? 1 : 0,
        DesiredInstanceCount: 1,
      },
    ],
    EndpointStatus: d.status,
    ...(d.failureReason ? { FailureReason: d.failureReason } : {}),
    CreationTime: epochSeconds(d.createdAt),
    LastModifiedTime: epochSeconds(d.lastModifiedAt),
  };
};

export const listEndpoints: Operation = (ctx, caller, req) => {
  const all = ctx.engine.endpoints
    .list()
    .filter((d) => sees(ctx, caller, d.name))
    .map((d) => ({ d, name: d.name, status: d.status, created: epochSeconds(d.createdAt) ?? 0 }));
  const { items, NextToken } = page(req, all, { Name: (t) => t.name, CreationTime: (t) => t.created, Status: (t) => t.status });
  return {
    Endpoints: items.map(({ d }) => ({
      EndpointName: d.name,
      EndpointArn: arn(ctx.region, 'endpoint', d.name),
      CreationTime: epochSeconds(d.createdAt),
      LastModifiedTime: epochSeconds(d.lastModifiedAt),
      EndpointStatus: d.status,
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};

export const deleteEndpoint: Operation = async (ctx, caller, req) => {
  requireUsage(ctx, caller, 'deploy_model', 'DeleteEndpoint');
  const endpoint = name(req, 'EndpointName');
  described(ctx, endpoint);
  ctx.engine.endpointAccess.requireOwner(caller.role, endpoint, 'deleting it');
  await ctx.engine.endpoints.delete(endpoint);
  await ctx.engine.endpointAccess.deleted(endpoint);
  ctx.records.remove('endpoints', endpoint);
  return {};
};
