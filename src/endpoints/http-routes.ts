import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { MAX_PAYLOAD_BYTES, acceptRawBodies, errorReply, frameworkErrorReply, sendReply, type HttpReply } from '../serving/index.js';
import { notFound } from '../core/index.js';
import type { EndpointManager } from './endpoint-manager.js';
import { invokeEndpoint, manage, pingEndpoint } from './http-handlers.js';

export interface EndpointRoutesOptions {
  readonly manager: EndpointManager;
  /** Largest invocation body; larger ones get 413. Default 6 MB, as SageMaker. */
  readonly maxBodyBytes?: number;
  /**
   * Rewrites each invocation's reply for the protocol the caller speaks (SageMaker's runtime errors and
   * headers for AWS SDK callers). `fromModel`: the reply came from scoring (a container error in
   * SageMaker's terms), not from the request's framing (body limit) or the endpoint lookup.
   */
  readonly invocationFace?: (request: FastifyRequest, endpoint: string, reply: HttpReply, fromModel: boolean) => HttpReply;
  /** Whether the caller may see endpoint `name` in the list and its description (default: every endpoint). */
  readonly visible?: (request: FastifyRequest, endpoint: string) => boolean;
}

/** A deploy request is a name and a URI: anything larger is not one. */
const MANAGEMENT_BODY_LIMIT = 64 * 1024;

const DeployBody = Type.Object(
  {
    name: Type.String({ description: 'Endpoint name: 1–63 letters, digits and hyphens (SageMaker rules)' }),
    artifactUri: Type.String({ description: 'Model artifact: file:///dir or a path' }),
  },
  { additionalProperties: false },
);
type NameParams = { Params: { name: string } };

/**
 * Endpoint routes as a fastify plugin, in two encapsulated scopes:
 *   runtime (SageMaker runtime paths; bodies read as text, the protocol decides what it accepts)
 *     POST   /endpoints/:name/invocations   text/csv user,item lines → one rating per line; application/json
 *     GET    /endpoints/:name/ping          200 while serving, 503 naming the status
 *   management (JSON)
 *     GET    /api/v1/endpoints              {"endpoints": [description…]}
 *     POST   /api/v1/endpoints              {name, artifactUri} → 202 description (Creating or Updating)
 *     GET    /api/v1/endpoints/:name        description
 *     DELETE /api/v1/endpoints/:name        200 the last description, once deleted
 * Errors are `{"error": {"code", "message"}}`.
 */
export const endpointRoutes: FastifyPluginAsync<EndpointRoutesOptions> = async (
  app,
  { manager, maxBodyBytes, invocationFace, visible },
) => {
  const limit = maxBodyBytes ?? MAX_PAYLOAD_BYTES;
  const face = invocationFace ?? ((_req, _name, r) => r);
  await app.register(async (runtime) => {
    acceptRawBodies(runtime, limit, (req, r) => face(req, (req.params as { name?: string }).name ?? '', r, false));
    const invocationDocs = {
      tags: ['endpoints'],
      summary: 'Predict ratings: text/csv user,item lines → one rating per line; or application/json {"instances": [[user, item], …]}',
    };
    runtime.post<NameParams>('/endpoints/:name/invocations', { bodyLimit: limit, schema: invocationDocs }, (req, reply) => {
      const { reply: r, fromModel } = invokeEndpoint(manager, req.params.name, req.headers['content-type'], req.body as string | undefined);
      return sendReply(reply, face(req, req.params.name, r, fromModel));
    });
    runtime.get<NameParams>(
      '/endpoints/:name/ping',
      { schema: { tags: ['endpoints'], summary: 'Health: 200 while the endpoint serves, 503 otherwise' } },
      (req, reply) => sendReply(reply, pingEndpoint(manager, req.params.name)),
    );
  });
  await app.register(async (api) => {
    api.setErrorHandler((err: FastifyError, req, reply) =>
      sendReply(
        reply,
        err.statusCode === 415
          ? errorReply(
              'INVALID_ARGUMENT',
              `unsupported content type ${JSON.stringify(req.headers['content-type'] ?? '(none)')}; send application/json`,
              415,
            )
          : frameworkErrorReply(err, MANAGEMENT_BODY_LIMIT),
      ),
    );
    const tags = ['endpoints'];
    const sees = visible ?? (() => true);
    api.get('/api/v1/endpoints', { schema: { tags, summary: 'List endpoints' } }, async (req, reply) =>
      sendReply(reply, await manage(200, () => ({ endpoints: manager.list().filter((d) => sees(req, d.name)) }))),
    );
    api.post<{ Body: { name: string; artifactUri: string } }>(
      '/api/v1/endpoints',
      {
        bodyLimit: MANAGEMENT_BODY_LIMIT,
        schema: { tags, summary: 'Deploy an artifact as an endpoint (create, or update an existing one)', body: DeployBody },
      },
      async (req, reply) => sendReply(reply, await manage(202, () => manager.deploy(req.body.name, req.body.artifactUri))),
    );
    api.get<NameParams>('/api/v1/endpoints/:name', { schema: { tags, summary: 'Describe an endpoint' } }, async (req, reply) =>
      sendReply(
        reply,
        await manage(200, () => {
          // One answer whether the endpoint is missing or hidden from the caller.
          if (!sees(req, req.params.name)) throw notFound(`Could not find endpoint ${req.params.name}`, { endpoint: req.params.name });
          return manager.describe(req.params.name);
        }),
      ),
    );
    api.delete<NameParams>('/api/v1/endpoints/:name', { schema: { tags, summary: 'Delete an endpoint' } }, async (req, reply) =>
      sendReply(reply, await manage(200, () => manager.delete(req.params.name))),
    );
  });
};

/** Registers the endpoint routes on `app` (a recpipe service, or a bare fastify instance). */
export async function registerEndpointRoutes(
  app: FastifyInstance,
  manager: EndpointManager,
  opts: Omit<EndpointRoutesOptions, 'manager'> = {},
): Promise<void> {
  await app.register(endpointRoutes, { ...opts, manager });
}
