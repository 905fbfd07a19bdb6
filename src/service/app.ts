import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { recpipeVersion } from '../config/index.js';
import { Authenticator } from '../auth/index.js';
import type { WarehouseLink } from '../external/index.js';
import { requireCaller } from './authenticate.js';
import { DEFAULT_LIMITS, type ServiceContext, type ServiceEngine, type ServiceLimits } from './context.js';
import { notFound, RecpipeError } from '../core/errors.js';
import { sendError, toErrorResponse } from './http-errors.js';
import { JobWatch } from './job-watch.js';
import { routeAreas } from './routes/index.js';
import { sharedCompilers } from './schema-compilers.js';
import { consoleOf } from './routes/console.js';
import { consoleCaller } from './console/index.js';
import { SessionStore } from './session-store.js';

export interface ServiceOptions {
  /** The home the engine was opened on (reported by the health route). */
  home: string;
  version?: string;
  /** Sessions kept in memory before the least recently used are dropped. */
  maxSessions?: number;
  logger?: FastifyServerOptions['logger'];
  /** Largest request body accepted, in bytes (SQL files can be large). */
  bodyLimit?: number;
  /** Sessions one credential may hold open. */
  maxSessionsPerCaller?: number;
  limits?: Partial<ServiceLimits>;
  /** Set by the operator only (--warehouse-url): where /ext/train finds its tables instead of this home. */
  warehouseLink?: WarehouseLink;
  /** The region SigV4 credentials must be scoped to and ARNs name (default us-east-1). */
  awsRegion?: string;
  /** The TLS proxy in front (--tls-proxy): its X-Forwarded-* headers are trusted, so console cookies are marked Secure. */
  tlsProxy?: string;
}

export const OPENAPI_PATH = '/openapi.json';

/**
 * The recpipe HTTP service around an open engine: routes only, every answer comes from a plain handler.
 * Resolves once the OpenAPI plugin is loaded, so routes added afterwards still appear in the document.
 */
export async function createService(engine: ServiceEngine, opts: ServiceOptions): Promise<FastifyInstance> {
  const closing = new AbortController();
  const ctx: ServiceContext = {
    engine,
    sessions: new SessionStore(opts.maxSessions, opts.maxSessionsPerCaller, (s) => void engine.endSession(s).catch(() => undefined)),
    jobWatch: new JobWatch(engine.jobs),
    closing: closing.signal,
    home: opts.home,
    version: opts.version ?? recpipeVersion(),
    pid: process.pid,
    auth: new Authenticator(opts.home, { awsRegion: opts.awsRegion, userActive: (user) => engine.access.userActive(user) }),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    warehouseLink: opts.warehouseLink,
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 16 * 1024 * 1024,
    trustProxy: opts.tlsProxy !== undefined,
    // No coercion: `{"sql": 1}` or `{"bindings": "x"}` is an error, not silently a string or `["x"]`;
    // and unknown fields are refused rather than dropped, so a misspelt `sessionID` is reported.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    schemaController: { compilersFactory: sharedCompilers },
  });
  // preClose runs before the server waits for requests in flight: long polls answer now, not at their timeout.
  app.addHook('preClose', async () => closing.abort());
  app.addHook('onClose', async () => ctx.jobWatch.close());
  app.addHook('onClose', async () => ctx.auth.close());
  requireCaller(app, ctx.auth, (request) => consoleCaller(ctx.auth, consoleOf(ctx).sessions, request));
  endRevokedSessions(app, ctx);
  limitConcurrency(app, ctx.limits.maxConcurrent);
  app.setErrorHandler((error, request, reply) => {
    if (toErrorResponse(error).status >= 500) request.log.error(error);
    return sendError(reply, error);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, notFound(`no route ${request.method} ${request.url.split('?')[0]}`)));
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'recpipe',
        version: ctx.version,
        description: 'Snowflake-flavoured SQL on an embedded warehouse, recommender training and serving.',
      },
    },
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  for (const area of routeAreas) await area(app, ctx);
  // Sign-ins kept on disk by an earlier run whose credential was revoked meanwhile end now.
  ctx.auth.revoked();
  return app;
}

/**
 * Sessions outlive the request that opened them, so revoking a credential must end them: a revoked key
 * (here or by `recpipe keys revoke`), a dropped or disabled user, an unset key pair. Each face adds its
 * own sweep (console, Snowflake protocol); this one ends /api/v1 sessions.
 */
function endRevokedSessions(app: FastifyInstance, ctx: ServiceContext): void {
  const { auth, sessions, engine } = ctx;
  const stopSweep = auth.onRevocation(() => {
    for (const session of sessions.removeWhere((owner, s) => owner !== 'owner' && !auth.sessionStands(owner, s.user)))
      void engine.endSession(session).catch(() => undefined);
  });
  const stopListening = engine.access.onUserChange(() => auth.revoked());
  auth.watchKeys();
  app.addHook('onClose', async () => {
    stopSweep();
    stopListening();
  });
}

/** At most `max` /api/v1 requests at once (the /ext/* area keeps its own bound); the rest get 429 at once. */
function limitConcurrency(app: FastifyInstance, max: number): void {
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/v1/') || request.url === '/api/v1/health') return;
    if (inFlight >= max) {
      return sendError(
        reply,
        new RecpipeError('RESOURCE_EXHAUSTED', `recpipe is serving ${inFlight} requests (limit ${max}); retry after 1 s`),
      );
    }
    inFlight++;
    reply.raw.once('close', () => inFlight--);
  });
}
