import type { Operation, SageMakerContext } from './api-context.js';
import { arn, awsError, epochSeconds } from './aws-errors.js';
import { list, name, object, page, text } from './fields.js';
import type { AwsRequest } from './records.js';

const createdSummary = (created: string) => ({ status: '', created: epochSeconds(created) ?? 0 });
const SORT = { Name: (t: { name: string }) => t.name, CreationTime: (t: { created: number }) => t.created };

/**
 * CreateModel: PrimaryContainer.ModelDataUrl (or the first of Containers) names the artifact as
 * DescribeTrainingJob's ModelArtifacts.S3ModelArtifacts gives it, or a training job's name, or a stage
 * path; a key holder's reference is checked as for its deploys. Image and role are recorded only.
 */
export const createModel: Operation = (ctx, caller, req) => {
  const modelName = name(req, 'ModelName');
  const container = req.PrimaryContainer !== undefined ? (object(req, 'PrimaryContainer') as AwsRequest) : list(req, 'Containers')[0];
  const url = text(container, 'ModelDataUrl');
  if (ctx.records.get('models', modelName))
    throw awsError('ValidationException', `Cannot create already existing model "${arn(ctx.region, 'model', modelName)}".`);
  const ref = ctx.records.get('trainingJobs', url)?.job ?? url;
  let artifactUri: string;
  try {
    artifactUri = ctx.engine.artifactRefs.resolve(ref, caller.role);
  } catch (e) {
    // The home's owner may serve any artifact directory, as `recpipe deploy` does.
    if (!caller.owner) throw e;
    artifactUri = ref;
  }
  ctx.records.put('models', modelName, { artifactUri, request: req, createdAt: new Date().toISOString() });
  return { ModelArn: arn(ctx.region, 'model', modelName) };
};

function modelRecord(ctx: SageMakerContext, modelName: string) {
  const m = ctx.records.get('models', modelName);
  if (!m) throw awsError('ValidationException', `Could not find model "${arn(ctx.region, 'model', modelName)}".`);
  return m;
}

export const describeModel: Operation = (ctx, _caller, req) => {
  const modelName = name(req, 'ModelName');
  const m = modelRecord(ctx, modelName);
  return {
    ModelName: modelName,
    ModelArn: arn(ctx.region, 'model', modelName),
    PrimaryContainer: { ...((m.request.PrimaryContainer as object) ?? {}), ModelDataUrl: m.artifactUri },
    ...(m.request.ExecutionRoleArn ? { ExecutionRoleArn: m.request.ExecutionRoleArn } : {}),
    CreationTime: epochSeconds(m.createdAt),
  };
};

export const deleteModel: Operation = (ctx, _caller, req) => {
  const modelName = name(req, 'ModelName');
  modelRecord(ctx, modelName);
  ctx.records.remove('models', modelName);
  return {};
};

export const listModels: Operation = (ctx, _caller, req) => {
  const all = ctx.records.entries('models').map(([n, m]) => ({ name: n, ...createdSummary(m.createdAt) }));
  const { items, NextToken } = page(req, all, SORT);
  return {
    Models: items.map((t) => ({ ModelName: t.name, ModelArn: arn(ctx.region, 'model', t.name), CreationTime: t.created })),
    ...(NextToken ? { NextToken } : {}),
  };
};

/** CreateEndpointConfig: one production variant (a recpipe endpoint serves one model); instance fields recorded. */
export const createEndpointConfig: Operation = (ctx, _caller, req) => {
  const configName = name(req, 'EndpointConfigName');
  const variants = list(req, 'ProductionVariants');
  if (variants.length !== 1)
    throw awsError(
      'ValidationException',
      `recpipe serves one production variant per endpoint; got ${variants.length} in ProductionVariants`,
    );
  name(variants[0], 'VariantName');
  modelRecord(ctx, text(variants[0], 'ModelName'));
  if (ctx.records.get('endpointConfigs', configName))
    throw awsError(
      'ValidationException',
      `Cannot create already existing endpoint configuration "${arn(ctx.region, 'endpoint-config', configName)}".`,
    );
  ctx.records.put('endpointConfigs', configName, { request: req, createdAt: new Date().toISOString() });
  return { EndpointConfigArn: arn(ctx.region, 'endpoint-config', configName) };
};

/** The config and its one variant; ValidationException when either is gone. */
export function endpointConfig(ctx: SageMakerContext, configName: string): { variant: string; model: string; artifactUri: string } {
  const c = ctx.records.get('endpointConfigs', configName);
  if (!c)
    throw awsError('ValidationException', `Could not find endpoint configuration "${arn(ctx.region, 'endpoint-config', configName)}".`);
  const v = (c.request.ProductionVariants as AwsRequest[])[0];
  const model = String(v.ModelName);
  return { variant: String(v.VariantName), model, artifactUri: modelRecord(ctx, model).artifactUri };
}

export const describeEndpointConfig: Operation = (ctx, _caller, req) => {
  const configName = name(req, 'EndpointConfigName');
  endpointConfig(ctx, configName);
  const c = ctx.records.get('endpointConfigs', configName)!;
  return {
    EndpointConfigName: configName,
    EndpointConfigArn: arn(ctx.region, 'endpoint-config', configName),
    ProductionVariants: c.request.ProductionVariants,
    CreationTime: epochSeconds(c.createdAt),
  };
};

export const deleteEndpointConfig: Operation = (ctx, _caller, req) => {
  const configName = name(req, 'EndpointConfigName');
  if (!ctx.records.get('endpointConfigs', configName))
    throw awsError('ValidationException', `Could not find endpoint configuration "${arn(ctx.region, 'endpoint-config', configName)}".`);
  ctx.records.remove('endpointConfigs', configName);
  return {};
};

export const listEndpointConfigs: Operation = (ctx, _caller, req) => {
  const all = ctx.records.entries('endpointConfigs').map(([n, c]) => ({ name: n, ...createdSummary(c.createdAt) }));
  const { items, NextToken } = page(req, all, SORT);
  return {
    EndpointConfigs: items.map((t) => ({
      EndpointConfigName: t.name,
      EndpointConfigArn: arn(ctx.region, 'endpoint-config', t.name),
      CreationTime: t.created,
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};
