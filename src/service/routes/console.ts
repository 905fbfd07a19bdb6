import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isRecpipeError, notFound, RecpipeError } from '../../core/errors.js';
import {
  ConsoleSessions,
  consoleLoginFile,
  CSRF_HEADER,
  endConsoleSession,
  loadAssets,
  ResultPages,
  signInCaller,
  startConsoleSession,
  WorksheetStore,
} from '../console/index.js';
import type { Asset, ConsoleSession } from '../console/index.js';
import type { ServiceContext } from '../context.js';
import { runStatements, sessionView } from '../handlers/index.js';
import { openSession } from '../handlers/sessions.js';
import { toErrorResponse } from '../http-errors.js';
import type { RouteArea } from './route-area.js';

/** A console sign-in lasts a working day; then the browser signs in again. */
const SIGN_IN_LIFETIME_MS = 8 * 3_600_000;

interface ConsoleState {
  readonly sessions: ConsoleSessions;
  readonly worksheets: WorksheetStore;
  readonly assets: Map<string, Asset>;
  /** Large results the worksheets page through. */
  readonly results: ResultPages;
}

const states = new WeakMap<ServiceContext, ConsoleState>();

/** The console's state for a service: its sign-ins, the home's worksheets and the built files. */
export function consoleOf(ctx: ServiceContext): ConsoleState {
  let s = states.get(ctx);
  if (!s) {
    s = {
      sessions: new ConsoleSessions(SIGN_IN_LIFETIME_MS, Date.now, consoleLoginFile(ctx.home)),
      worksheets: new WorksheetStore(ctx.home),
      assets: loadAssets(),
      results: new ResultPages(),
    };
    states.set(ctx, s);
  }
  return s;
}

const SignInBody = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String({ minLength: 1 })),
    apiKey: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
const ConsoleStatementsBody = Type.Object(
  // paged: large results come a page at a time (the worksheet grid); other pages take every row.
  { sql: Type.String({ minLength: 1 }), paged: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const WorksheetBody = Type.Object({ name: Type.String(), sql: Type.String() }, { additionalProperties: false });
const WorksheetParams = Type.Object({ id: Type.String({ minLength: 1 }) });

const PUBLIC = { ownAuthentication: true } as const;
/** Console routes: their one credential is the session cookie, with the CSRF token on changes. */
export const SIGNED_IN = { console: true } as const;

/**
 * The web console: its page and files (public: the page signs in), sign-in/out, and the routes its
 * worksheets call, which accept only the console's session cookie (see consoleCaller).
 */
export const consoleRoutes: RouteArea = (app, ctx) => {
  const state = consoleOf(ctx);
  const hidden = { hide: true } as const;
  // The sign-ins are on disk before the server is gone, so a restart finds them all.
  app.addHook('onClose', () => state.sessions.saved());
  const stopSweep = ctx.auth.onRevocation(() => {
    for (const gone of state.sessions.closeWhere((s) => !ctx.auth.stands(s.caller))) {
      const engineSession = gone.engineSessionId === null ? undefined : ctx.sessions.remove(gone.engineSessionId, gone.caller.prefix);
      if (engineSession) void ctx.engine.endSession(engineSession).catch(() => undefined);
    }
  });
  app.addHook('onClose', async () => stopSweep());

  app.get('/', { config: PUBLIC, schema: hidden }, async (request, reply) => sendAsset(state, 'index.html', request, reply));
  app.get<{ Params: { file: string } }>('/console/:file', { config: PUBLIC, schema: hidden }, async (request, reply) =>
    sendAsset(state, request.params.file, request, reply),
  );

  app.post<{ Body: typeof SignInBody.static }>(
    '/console/api/sign-in',
    { config: PUBLIC, schema: { ...hidden, body: SignInBody } },
    async (request, reply) => {
      const caller = await signInCaller(ctx, request.body);
      return me(ctx, startConsoleSession(ctx, state.sessions, caller, request, reply));
    },
  );
  app.post('/console/api/sign-out', { config: SIGNED_IN, schema: hidden }, async (request, reply) => {
    await endConsoleSession(ctx, state.sessions, request, reply);
    return { signedOut: true };
  });
  app.get('/console/api/me', { config: SIGNED_IN, schema: hidden }, async (request) => me(ctx, signedIn(request)));

  app.post<{ Body: typeof ConsoleStatementsBody.static }>(
    '/console/api/statements',
    { config: SIGNED_IN, schema: { ...hidden, body: ConsoleStatementsBody } },
    async (request, reply) => {
      const session = signedIn(request);
      const started = performance.now();
      try {
        const answer = await runStatements(ctx, session.caller, { sql: request.body.sql, sessionId: engineSessionOf(ctx, session) });
        const results = request.body.paged === true ? state.results.page(session, answer.results) : answer.results;
        const body = { results, session: answer.session, elapsedMs: Math.round(performance.now() - started) };
        return reply.type('application/json').send(JSON.stringify(body));
      } catch (e) {
        // The console marks the failing line in its editor: give it the line the engine named.
        const { status, body } = toErrorResponse(e);
        if (status >= 500) request.log.error(e);
        const line = isRecpipeError(e) && typeof e.details.line === 'number' ? e.details.line : undefined;
        return reply.code(status).send({ error: { ...body.error, line }, elapsedMs: Math.round(performance.now() - started) });
      }
    },
  );

  app.get('/console/api/worksheets', { config: SIGNED_IN, schema: hidden }, async (request) => ({
    worksheets: state.worksheets.list(worksheetOwner(signedIn(request))),
  }));
  app.put<{ Params: typeof WorksheetParams.static; Body: typeof WorksheetBody.static }>(
    '/console/api/worksheets/:id',
    { config: SIGNED_IN, schema: { ...hidden, params: WorksheetParams, body: WorksheetBody } },
    async (request) => state.worksheets.save(worksheetOwner(signedIn(request)), request.params.id, request.body),
  );
  app.delete<{ Params: typeof WorksheetParams.static }>(
    '/console/api/worksheets/:id',
    { config: SIGNED_IN, schema: { ...hidden, params: WorksheetParams } },
    async (request) => {
      await state.worksheets.remove(worksheetOwner(signedIn(request)), request.params.id);
      return { deleted: request.params.id };
    },
  );
};

/** The console session of a route registered with `config: SIGNED_IN` (other console route files use it too). */
export function signedIn(request: FastifyRequest): ConsoleSession {
  if (!request.consoleSession) throw new Error('console route registered without config.console');
  return request.consoleSession;
}

/** What the page needs after signing in: who it is, its CSRF token and its session's context. */
function me(ctx: ServiceContext, session: ConsoleSession) {
  const { caller } = session;
  const engineSession = ctx.sessions.get(engineSessionOf(ctx, session), caller.prefix);
  return { user: caller.user ?? 'owner', csrfHeader: CSRF_HEADER, csrfToken: session.csrfToken, session: sessionView(engineSession) };
}

/** The sign-in's engine session, opened anew when the session store dropped it (evicted, or after a restart of the store). */
export function engineSessionOf(ctx: ServiceContext, session: ConsoleSession): string {
  if (session.engineSessionId !== null) {
    try {
      return ctx.sessions.get(session.engineSessionId, session.caller.prefix).id;
    } catch {
      // gone: open another below
    }
  }
  session.engineSessionId = openSession(ctx, session.caller).id;
  return session.engineSessionId;
}

/** A user's worksheets are theirs whichever credential they signed in with. */
const worksheetOwner = (session: ConsoleSession): string => session.caller.user ?? 'owner';

function sendAsset(state: ConsoleState, name: string, request: FastifyRequest, reply: FastifyReply) {
  const asset = state.assets.get(name);
  if (asset === undefined) {
    if (state.assets.size === 0)
      throw new RecpipeError('FAILED_PRECONDITION', 'the console was not built: run npm run build (it writes build/console)');
    throw notFound(`no console file '${name.slice(0, 80)}'`);
  }
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  reply
    .type(asset.type)
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('vary', 'accept-encoding')
    // Nothing from elsewhere (works offline; an injected script cannot load more) but the editor's inline SVG icons, and no framing.
    .header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    );
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? asset.gzip : asset.body);
}
