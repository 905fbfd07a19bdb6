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
    async (request) => runStatements(ctx, callerOf(request), request.body),
  );
};
