import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '../context.js';
import { describeJob, jobLogs, listJobs, sessionView, stopJob } from '../handlers/index.js';
import { JobParams } from '../training-job-schemas.js';
import { engineSessionOf, SIGNED_IN, signedIn } from './console.js';
import type { RouteArea } from './route-area.js';
import { base64Bytes } from './stages.js';

const UploadBody = Type.Object(
  {
    target: Type.String({ minLength: 2 }),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    content: Type.String(),
  },
  { additionalProperties: false },
);

/**
 * The console's Data and Training jobs pages: the jobs the signed-in user's role sees (the API's own
 * handlers, so its privileges apply), and uploads into a stage in the sign-in's engine session. Browsing
 * tables, loading and deploying go through SQL in that session.
 */
export const consoleDataRoutes: RouteArea = (app, ctx) => {
  const hidden = { hide: true } as const;
  const caller = (request: Parameters<typeof signedIn>[0]) => signedIn(request).caller;

  app.get('/console/api/jobs', { config: SIGNED_IN, schema: hidden }, async (request) => listJobs(ctx, caller(request)));
  app.get<{ Params: JobParams }>(
    '/console/api/jobs/:name',
    { config: SIGNED_IN, schema: { ...hidden, params: JobParams } },
    async (request) => describeJob(ctx, caller(request), request.params.name),
  );
  app.get<{ Params: JobParams }>(
    '/console/api/jobs/:name/logs',
    { config: SIGNED_IN, schema: { ...hidden, params: JobParams } },
    async (request) => ({ log: await jobLogs(ctx, caller(request), request.params.name) }),
  );
  app.post<{ Params: JobParams }>(
    '/console/api/jobs/:name/stop',
    { config: SIGNED_IN, schema: { ...hidden, params: JobParams } },
    async (request) => stopJob(ctx, caller(request), request.params.name),
  );

  app.post<{ Body: typeof UploadBody.static }>(
    '/console/api/stages/files',
    { config: SIGNED_IN, schema: { ...hidden, body: UploadBody } },
    async (request) => upload(ctx, signedIn(request), request.body),
  );
};

/** PUT from the browser: the file arrives base64 in JSON (as the API's upload route takes it) and lands as the signed-in role's. */
async function upload(ctx: ServiceContext, session: ReturnType<typeof signedIn>, body: typeof UploadBody.static) {
  const bytes = base64Bytes(body.content);
  return ctx.sessions.run(
    engineSessionOf(ctx, session),
    async (s) => ({ result: await ctx.engine.upload(s, body.target, body.name, bytes), session: sessionView(s) }),
    session.caller.prefix,
  );
}
