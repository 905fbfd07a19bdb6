import { callerOf } from '../authenticate.js';
import { runStatements } from '../handlers/index.js';
import { errorResponses, StatementsBody, StatementsResponse } from '../schemas.js';
import type { RouteArea } from './route-area.js';

export const statementRoutes: RouteArea = (app, ctx) => {
  app.post<{ Body: StatementsBody }>(
    '/api/v1/statements',
    {
      schema: {
        summary: 'Run SQL statements',
        description:
          'Runs one or more `;`-separated statements in a session (a new one when `sessionId` is omitted) and returns every result.',
        tags: ['sql'],
        body: StatementsBody,
        response: { 200: StatementsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const answer = await runStatements(ctx, callerOf(request), request.body);
      // Results by column are for large reads: one native stringify instead of the schema's value-by-value serialiser.
      return request.body.resultFormat === 'columns' ? reply.type('application/json').send(JSON.stringify(answer)) : answer;
    },
  );
};
