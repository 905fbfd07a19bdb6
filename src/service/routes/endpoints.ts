import { isSigV4 } from '../../auth/index.js';
import { registerEndpointRoutes } from '../../endpoints/index.js';
import type { FastifyRequest } from 'fastify';
import { toErrorResponse } from '../http-errors.js';
import { sagemakerInvocation, variantOf } from '../../sagemaker-api/index.js';
import type { RouteArea } from './route-area.js';
import { sagemakerOf } from './sagemaker.js';

/**
 * The endpoints' own routes (SageMaker runtime `/endpoints/:name/invocations|ping` and the
 * `/api/v1/endpoints` management routes), mounted as they are. Their errors have the service's
 * `{error: {code, message}}` shape (a not-serving endpoint answers 503, SageMaker's ModelNotReady), except
 * for SigV4 callers (AWS SDKs), who get SageMaker's runtime errors: their statuses differ (400 for a
 * missing endpoint, 424 for the model's refusals), so one shape cannot serve both kinds of client.
 * A deploy by an API key names its model by reference only (job, home artifact, stage path) and
 * redeploying or deleting an endpoint is its owner role's; the home's owner may deploy any artifact
 * directory, as `recpipe deploy` does in-process.
 */
export const endpointRoutes: RouteArea = async (app, ctx) => {
  app.addHook('preHandler', async (request, reply) => {
    if (request.caller?.owner !== false) return;
    try {
      checkKeyRequest(request, request.caller.role);
      await ctx.engine.endpointAccess.recorded();
    } catch (e) {
      // The endpoints' own error handler knows only their errors: answer here with the service's table.
      const { status, body } = toErrorResponse(e);
      return reply.code(status).send(body);
    }
  });
  const checkKeyRequest = (request: FastifyRequest, role: string): void => {
    if (request.method === 'DELETE' && request.routeOptions.url === '/api/v1/endpoints/:name') {
      const { name } = request.params as { name: string };
      ctx.engine.endpointAccess.requireOwner(role, name, 'deleting it');
      return;
    }
    if (request.method !== 'POST' || request.routeOptions.url !== '/api/v1/endpoints') return;
    const body = request.body as { name?: unknown; artifactUri?: unknown };
    if (typeof body?.artifactUri === 'string') body.artifactUri = ctx.engine.artifactRefs.resolve(body.artifactUri, role);
    // An existing endpoint is its owner role's to redeploy; a new one becomes the key's role's.
    if (typeof body?.name === 'string') ctx.engine.endpointAccess.deploying(role, body.name);
  };
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'DELETE' && request.routeOptions.url === '/api/v1/endpoints/:name' && reply.statusCode === 200)
      await ctx.engine.endpointAccess.deleted((request.params as { name: string }).name);
  });
  const sagemaker = sagemakerOf(ctx);
  await registerEndpointRoutes(app, ctx.engine.endpoints, {
    invocationFace: (req, name, reply, fromModel) =>
      sagemakerInvocation(name, variantOf(sagemaker, name), reply, fromModel, isSigV4(req.headers)),
    // A key's role sees the endpoints it owns or holds a privilege on, as SHOW ENDPOINTS does.
    visible: (req, name) => req.caller?.owner !== false || ctx.engine.endpointAccess.canSee(req.caller.role, name),
  });
};
