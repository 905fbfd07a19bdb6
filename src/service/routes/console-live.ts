import { Type } from '@sinclair/typebox';
import { jobCurves } from '../handlers/index.js';
import { JobParams } from '../training-job-schemas.js';
import { consoleOf, SIGNED_IN, signedIn } from './console.js';
import type { RouteArea } from './route-area.js';

const ResultParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
/** Query strings are text: offsets and limits are digits, bounded where they are used. */
const PageQuery = Type.Object({
  offset: Type.String({ pattern: '^(0|[1-9][0-9]{0,8})$' }),
  limit: Type.String({ pattern: '^[1-9][0-9]{0,4}$' }),
});

/**
 * The console's live figures: a training job's curves as they grow (the job page polls them with its
 * status and log; the API's handlers decide what the signed-in role may see), and the pages of a large
 * worksheet result as the grid scrolls to them (only the sign-in that ran it can read it).
 */
export const consoleLiveRoutes: RouteArea = (app, ctx) => {
  const hidden = { hide: true } as const;
  app.get<{ Params: JobParams }>(
    '/console/api/jobs/:name/curves',
    { config: SIGNED_IN, schema: { ...hidden, params: JobParams } },
    async (request) => jobCurves(ctx, signedIn(request).caller, request.params.name),
  );
  app.get<{ Params: typeof ResultParams.static; Querystring: typeof PageQuery.static }>(
    '/console/api/results/:id',
    { config: SIGNED_IN, schema: { ...hidden, params: ResultParams, querystring: PageQuery } },
    async (request, reply) => {
      const page = consoleOf(ctx).results.rows(
        signedIn(request),
        request.params.id,
        Number(request.query.offset),
        Number(request.query.limit),
      );
      return reply.type('application/json').send(JSON.stringify(page));
    },
  );
};
