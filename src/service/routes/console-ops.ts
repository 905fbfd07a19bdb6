import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { notFound } from '../../core/errors.js';
import { invokeEndpoint } from '../../endpoints/index.js';
import type { ServiceContext } from '../context.js';
import { SIGNED_IN, signedIn } from './console.js';
import type { RouteArea } from './route-area.js';

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 63 }) });
const InvokeBody = Type.Object({ csv: Type.String({ minLength: 1, maxLength: 1_000_000 }) }, { additionalProperties: false });
/** Query strings are text (the service does not coerce): counts are digits, bounded where they are used. */
const Count = Type.String({ pattern: '^[1-9][0-9]{0,2}$' });
const TrafficQuery = Type.Object({ seconds: Type.Optional(Count) });
const HistoryQuery = Type.Object({ minutes: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })) });
const SimilarQuery = Type.Object({ item: Type.String({ minLength: 1, maxLength: 200 }), k: Type.Optional(Count) });
const hidden = { hide: true } as const;

/**
 * The console's endpoint pages: the invocation playground (the endpoint's own CSV invocation path, so
 * its traffic shows in the charts), the per-second and per-minute traffic of every process of the home
 * (both counting every invocation path) that those charts poll, and the movies nearest
 * a movie by the served model's item factors. An endpoint the signed-in role cannot see is answered as
 * missing, as the endpoints API does.
 */
export const consoleOpsRoutes: RouteArea = (app, ctx) => {
  const endpoints = ctx.engine.endpoints;
  /** The route's endpoint when the role may see it and it exists (a missing one has no traffic to show). */
  const existing = (request: FastifyRequest): string => endpoints.describe(visibleEndpoint(ctx, request)).name;

  app.post<{ Params: typeof NameParams.static; Body: typeof InvokeBody.static }>(
    '/console/api/endpoints/:name/invocations',
    { config: SIGNED_IN, schema: { ...hidden, params: NameParams, body: InvokeBody } },
    async (request, reply) => {
      const name = visibleEndpoint(ctx, request);
      const started = performance.now();
      const { reply: r } = invokeEndpoint(endpoints, name, 'text/csv', request.body.csv);
      if (r.status >= 400) return reply.code(r.status).type(r.contentType).send(r.body);
      const predictions = r.body
        .split('\n')
        .filter((line) => line !== '')
        .map(Number);
      return { predictions, elapsedMs: Math.round((performance.now() - started) * 100) / 100 };
    },
  );

  app.get<{ Params: typeof NameParams.static; Querystring: typeof TrafficQuery.static }>(
    '/console/api/endpoints/:name/traffic',
    { config: SIGNED_IN, schema: { ...hidden, params: NameParams, querystring: TrafficQuery } },
    async (request) => endpoints.metrics.traffic(existing(request), Number(request.query.seconds ?? 60)),
  );

  app.get<{ Params: typeof NameParams.static; Querystring: typeof HistoryQuery.static }>(
    '/console/api/endpoints/:name/traffic/minutes',
    { config: SIGNED_IN, schema: { ...hidden, params: NameParams, querystring: HistoryQuery } },
    async (request) => endpoints.metrics.history(existing(request), Number(request.query.minutes ?? 60)),
  );

  app.get<{ Params: typeof NameParams.static; Querystring: typeof SimilarQuery.static }>(
    '/console/api/endpoints/:name/similar',
    { config: SIGNED_IN, schema: { ...hidden, params: NameParams, querystring: SimilarQuery } },
    async (request) => {
      const name = visibleEndpoint(ctx, request);
      const runtime = endpoints.serving(name);
      const similar = runtime.similar(request.query.item, Math.min(100, Number(request.query.k ?? 10)));
      if (similar === null)
        return { available: false, reason: `not available for this model (${runtime.model.algorithm} has no item factors)` };
      return { available: true, item: request.query.item, ...similar };
    },
  );
};

/** The endpoint the route names, when the signed-in role may see it (otherwise NOT_FOUND, as if it did not exist). */
function visibleEndpoint(ctx: ServiceContext, request: FastifyRequest): string {
  const { name } = request.params as { name: string };
  const { caller } = signedIn(request);
  if (!caller.owner && !ctx.engine.endpointAccess.canSee(caller.role, name))
    throw notFound(`Could not find endpoint ${name}`, { endpoint: name });
  return name;
}
