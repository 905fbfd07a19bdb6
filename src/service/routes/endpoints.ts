import { isSigV4 } from '../../auth/index.js';
import { registerEndpointRoutes } from '../../endpoints/index.js';
import { sagemakerInvocation, variantOf } from '../../sagemaker-api/index.js';
import type { RouteArea } from './route-area.js';
import { sagemakerOf } from './sagemaker.js';

/**
 * The endpoints' own routes (SageMaker runtime `/endpoints/:name/invocations|ping` and the
 * `/api/v1/endpoints` management routes), mounted as they are. Their errors have the service's
 * `{error: {code, message}}` shape (a not-serving endpoint answers 503), except for SigV4 callers
 * (AWS SDKs), who get SageMaker's runtime errors: their statuses differ (400 for a missing endpoint,
 * 424 for the model's refusals), so one shape cannot serve both kinds of client.
 * A deploy by an API key names its model by reference only (job, home artifact, stage path); the
 * home's owner may deploy any artifact directory, as `recpipe deploy` does in-process.
 */
export const endpointRoutes: RouteArea = async (app, ctx) => {
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' || request.routeOptions.url !== '/api/v1/endpoints' || request.caller?.owner !== false) return;
    const body = request.body as { artifactUri?: unknown };
    if (typeof body?.artifactUri === 'string') body.artifactUri = ctx.engine.artifactRefs.resolve(body.artifactUri, request.caller.role);
  });
  const sagemaker = sagemakerOf(ctx);
  await registerEndpointRoutes(app, ctx.engine.endpoints, {
    invocationFace: (req, name, reply, fromModel) =>
      sagemakerInvocation(name, variantOf(sagemaker, name), reply, fromModel, isSigV4(req.headers)),
  });
};
