import { callerOf } from '../authenticate.js';
import { createSession, getSession } from '../handlers/index.js';
import { CreateSessionBody, errorResponses, SessionParams, SessionView } from '../schemas.js';
import type { RouteArea } from './route-area.js';

export const sessionRoutes: RouteArea = (app, ctx) => {
  app.post<{ Body: CreateSessionBody | undefined }>(
    '/api/v1/sessions',
    {
      schema: {
        summary: 'Open a SQL session',
        tags: ['sql'],
        body: CreateSessionBody,
        response: { 201: SessionView, ...errorResponses },
      },
      // A bodyless POST means "all defaults"; give the schema an object to check.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => reply.code(201).send(createSession(ctx, callerOf(request), request.body ?? {})),
  );

  app.get<{ Params: SessionParams }>(
    '/api/v1/sessions/:id',
    {
      schema: {
        summary: 'A session and its current context',
        tags: ['sql'],
        params: SessionParams,
        response: { 200: SessionView, ...errorResponses },
      },
    },
    async (request) => getSession(ctx, callerOf(request), request.params.id),
  );
};
