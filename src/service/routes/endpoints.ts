import { registerEndpointRoutes } from '../../endpoints/index.js';
import type { RouteArea } from './route-area.js';

/**
 * The endpoints' own routes (SageMaker runtime `/endpoints/:name/invocations|ping` and the
 * `/api/v1/endpoints` management routes), mounted as they are. Their errors have the service's
 * `{error: {code, message}}` shape; a not-serving endpoint answers 503 (SageMaker's ModelNotReady).
 * A deploy by an API key names its model by reference only (job, home artifact, stage path); the
 * home's owner may deploy any artifact directory, as `recpipe deploy` does in-process.
 */
export const endpointRoutes: RouteArea = async (app, ctx) => {
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' || request.routeOptions.url !== '/api/v1/endpoints' || request.caller?.owner !== false) return;
    const body = request.body as { artifactUri?: unknown };
    if (typeof body?.artifactUri === 'string') body.artifactUri = ctx.engine.artifactRefs.resolve(body.artifactUri, request.caller.role);
  });
  await registerEndpointRoutes(app, ctx.engine.endpoints);
};
