import { Type, type Static } from '@sinclair/typebox';
import { invalid } from '../../core/errors.js';
import { callerOf } from '../authenticate.js';
import { openSession, sessionView } from '../handlers/sessions.js';
import { errorResponses, StatementsResponse } from '../schemas.js';
import type { RouteArea } from './route-area.js';

const UploadBody = Type.Object(
  {
    target: Type.String({ minLength: 2, description: 'The internal stage and directory: `@~`, `@~/dir`, `@db.schema.stage/dir`' }),
    name: Type.String({ minLength: 1, maxLength: 255, description: 'The file name in the stage' }),
    content: Type.String({ description: 'The file, base64' }),
    sessionId: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
type UploadBody = Static<typeof UploadBody>;

/** PUT as the CLI sends it: the client reads its own file and uploads it into an internal stage of its user or role. */
export const stageRoutes: RouteArea = (app, ctx) => {
  app.post<{ Body: UploadBody }>(
    '/api/v1/stages/files',
    {
      schema: {
        summary: 'Upload a file into an internal stage (the CLI runs PUT this way)',
        tags: ['sql'],
        body: UploadBody,
        response: { 200: StatementsResponse, ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const bytes = base64Bytes(request.body.content);
      const id = request.body.sessionId ?? openSession(ctx, caller).id;
      return ctx.sessions.run(
        id,
        async (session) => ({
          sessionId: session.id,
          results: [await ctx.engine.upload(session, request.body.target, request.body.name, bytes)],
          session: sessionView(session),
        }),
        caller.prefix,
      );
    },
  );
};

/** An upload's file: base64 with nothing else in it (line breaks aside). */
export function base64Bytes(content: string): Buffer {
  const bytes = Buffer.from(content, 'base64');
  if (bytes.toString('base64') !== content.replace(/\s+/g, '')) throw invalid('content must be base64');
  return bytes;
}
