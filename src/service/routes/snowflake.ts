import { createReadStream, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SF_CODES, UPLOAD_BUCKET, fail, ok, sfErrorOf, type SfLogin, type SfReply } from '../../snowflake-protocol/index.js';
import { LOGIN_REVOKED, SnowflakeProtocol } from '../handlers/snowflake.js';
import { toErrorResponse } from '../http-errors.js';
import type { RouteArea } from './route-area.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which Snowflake token the route takes in `Authorization: Snowflake Token="…"`. */
    snowflakeToken?: 'session' | 'master';
  }
  interface FastifyRequest {
    snowflakeLogin?: SfLogin;
  }
}

/** Where drivers download result chunks (signed URLs, like the presigned storage URLs Snowflake hands out). */
export const CHUNK_PATH = '/recpipe/snowflake-chunks';
/** Where drivers PUT and GET stage files (a bucket with tokens and presigned URLs, as Snowflake's cloud storage). */
export const STAGE_FILES_PATH = '/recpipe/snowflake-stage-files';
/** The largest file a driver may PUT in one request. */
const MAX_STAGE_FILE = 256 * 1024 * 1024;
/** A body inflated from gzip may be at most this large. */
const MAX_INFLATED = 64 * 1024 * 1024;

/** An answer decided before the handler runs (bad token, bad body): its HTTP status and Snowflake-shaped body. */
class SnowflakeAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: SfReply,
  ) {
    super(body.message ?? 'snowflake protocol error');
  }
}

/**
 * Snowflake's REST protocol (what snowflake-sdk, the JDBC and Python connectors and SnowSQL speak), in a
 * scope of its own: bodies may be gzip-compressed, errors have Snowflake's envelope, and requests
 * authenticate with the protocol's tokens instead of recpipe's API keys.
 */
export const snowflakeRoutes: RouteArea = async (app, ctx) => {
  const sf = new SnowflakeProtocol(ctx);
  // The sign-ins are on disk before the server is gone, so a restart finds them all.
  app.addHook('onClose', () => sf.tokens.saved());
  app.addHook('onClose', () => sf.stageGrants.saved());
  const stopSweep = ctx.auth.onRevocation(() => sf.endRevoked());
  app.addHook('onClose', async () => stopSweep());
  await stageFileRoutes(app, sf);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      try {
        done(null, parseBody(body as Buffer));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
    scope.setErrorHandler((error, request, reply) => {
      if (error instanceof SnowflakeAnswer) return reply.code(error.status).send(error.body);
      const { status, body } = toErrorResponse(error);
      if (status >= 500) request.log.error(error);
      const sfError = sfErrorOf(error);
      return reply
        .code(status)
        .send({ data: null, code: status >= 500 ? sfError.code : null, message: body.error.message, success: false });
    });
    scope.addHook('onRequest', async (request) => {
      const kind = request.routeOptions.config?.snowflakeToken;
      if (kind === 'session') request.snowflakeLogin = sessionLogin(sf, request);
    });
    const own = { ownAuthentication: true } as const;
    const session = { config: { ...own, snowflakeToken: 'session' as const }, schema: { hide: true } };
    const loginOf = (request: FastifyRequest): SfLogin => request.snowflakeLogin as SfLogin;
    const chunkBase = (request: FastifyRequest): string => `${origin(request)}${CHUNK_PATH}`;
    const query = (request: FastifyRequest): Record<string, string | undefined> => request.query as Record<string, string | undefined>;

    scope.post('/session/v1/login-request', { config: own, schema: { hide: true } }, async (request) =>
      sf.login(query(request), request.body),
    );
    scope.post(
      '/session/token-request',
      { config: { ...own, snowflakeToken: 'master' }, schema: { hide: true } },
      async (request, reply) => {
        const answer = sf.renew(presentedToken(request), request.body);
        // An unknown master token is refused like an unknown session token; an expired one is Snowflake's 390114.
        return reply.code(answer.code === SF_CODES.invalidToken ? 401 : 200).send(answer);
      },
    );
    scope.post('/session/heartbeat', session, async (request) => withSession(sf, loginOf(request), () => ok(null)));
    scope.post('/session', session, async (request) => {
      if (query(request).delete !== 'true') throw invalid400('POST /session needs ?delete=true (sign out)');
      return sf.logout(loginOf(request));
    });
    scope.post('/telemetry/send', session, async () => ok(null));
    scope.post('/queries/v1/query-request', session, async (request) =>
      withSession(sf, loginOf(request), () =>
        sf.query(loginOf(request), query(request).requestId ?? null, request.body, {
          chunks: chunkBase(request),
          stage: `${origin(request)}${STAGE_FILES_PATH}`,
        }),
      ),
    );
    scope.get<{ Params: { id: string } }>('/queries/:id/result', session, async (request) =>
      sf.result(loginOf(request), request.params.id, chunkBase(request)),
    );
    scope.get<{ Params: { id: string } }>('/monitoring/queries/:id', session, async (request) =>
      sf.monitor(loginOf(request), request.params.id),
    );
    scope.post('/queries/v1/abort-request', session, async (request) => {
      const requestId = (request.body as Record<string, unknown> | undefined)?.requestId;
      return sf.abort(loginOf(request), null, typeof requestId === 'string' ? requestId : null);
    });
    scope.post<{ Params: { id: string } }>('/queries/:id/abort-request', session, async (request) =>
      sf.abort(loginOf(request), request.params.id, null),
    );
    scope.get<{ Params: { id: string; index: string }; Querystring: { expires?: string; signature?: string } }>(
      `${CHUNK_PATH}/:id/:index`,
      { config: own, schema: { hide: true } },
      async (request, reply: FastifyReply) => {
        const { expires, signature } = request.query;
        const body = sf.chunk(request.params.id, Number(request.params.index), Number(expires), signature ?? '');
        if (body === null)
          return reply
            .code(403)
            .send({ error: { code: 'PERMISSION_DENIED', message: 'the chunk URL is unknown, expired or its signature is wrong' } });
        return reply.type('application/octet-stream').send(body);
      },
    );
  });
};

/**
 * Where drivers move PUT and GET files, as on a GCS bucket: a PUT's files go to
 * `<bucket>/<name>` with its folder-scoped token (`Authorization: Bearer …`; `HEAD` first when
 * OVERWRITE = FALSE), a GET's come from presigned URLs. The driver sends the bytes as they are (gzip it
 * has compressed itself included). The token or URL is the credential.
 */
async function stageFileRoutes(app: FastifyInstance, sf: SnowflakeProtocol): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_STAGE_FILE }, (_request, body, done) => done(null, body));
    const config = { config: { ownAuthentication: true }, schema: { hide: true } } as const;
    const refused = { error: { code: 'PERMISSION_DENIED', message: 'the stage credential is unknown or has expired' } };
    const upload = `${STAGE_FILES_PATH}/${UPLOAD_BUCKET}/:name`;
    scope.head<{ Params: { name: string } }>(upload, config, async (request, reply) => {
      const staged = sf.staged(bearer(request), request.params.name);
      return reply.code(staged === null ? 403 : staged ? 200 : 404).send();
    });
    scope.put<{ Params: { name: string } }>(upload, { ...config, bodyLimit: MAX_STAGE_FILE }, async (request, reply) => {
      const body = request.body;
      const stored = await sf.receive(bearer(request), request.params.name, Buffer.isBuffer(body) ? body : Buffer.alloc(0));
      if (stored === null) return reply.code(403).send(refused);
      if (stored === 'exists')
        return reply.code(412).send({
          error: {
            code: 'FAILED_PRECONDITION',
            message: `${request.params.name} is already in the stage and the PUT has OVERWRITE = FALSE`,
          },
        });
      return reply.code(200).send({});
    });
    scope.get<{ Params: { id: string } }>(`${STAGE_FILES_PATH}/:id`, config, async (request, reply) => {
      const path = sf.sent(request.params.id);
      if (path === null) return reply.code(403).send(refused);
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'the stage file is gone' } });
      }
      return reply.type('application/octet-stream').header('content-length', size).send(createReadStream(path));
    });
  });
}

/** The token in `Authorization: Bearer …` ('' when there is none: no grant has it). */
function bearer(request: FastifyRequest): string {
  const m = /^Bearer\s+(\S{1,512})$/i.exec(request.headers.authorization ?? '');
  return m ? m[1] : '';
}

const origin = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

async function withSession(sf: SnowflakeProtocol, login: SfLogin, work: () => SfReply | Promise<SfReply>): Promise<SfReply> {
  const session = sf.sessionOf(login);
  return 'id' in session ? work() : session;
}

/** The token in `Authorization: Snowflake Token="…"`; 401 when there is none. */
function presentedToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const m = typeof header === 'string' ? /^Snowflake\s+Token="([^"]{1,512})"\s*$/i.exec(header) : null;
  if (!m) {
    throw new SnowflakeAnswer(
      401,
      fail({
        code: SF_CODES.invalidToken,
        sqlState: '08001',
        message: 'Authorization: Snowflake Token="…" is required (sign in with /session/v1/login-request)',
      }),
    );
  }
  return m[1];
}

/** The login a session token belongs to. Expired: Snowflake's 390112 (the driver renews with its master token); unknown: 401. */
function sessionLogin(sf: SnowflakeProtocol, request: FastifyRequest): SfLogin {
  const found = sf.tokens.session(presentedToken(request));
  if (found === null)
    throw new SnowflakeAnswer(
      401,
      fail({ code: SF_CODES.invalidToken, sqlState: '08001', message: 'Invalid session token: sign in again.' }),
    );
  if ('expired' in found)
    throw new SnowflakeAnswer(200, fail({ code: SF_CODES.sessionExpired, sqlState: '08001', message: 'Session token expired.' }));
  if (!sf.stands(found.login)) {
    sf.endRevoked();
    throw new SnowflakeAnswer(200, fail(LOGIN_REVOKED));
  }
  return found.login;
}

function invalid400(message: string): SnowflakeAnswer {
  return new SnowflakeAnswer(400, { data: null, code: null, message, success: false });
}

/** JSON, gzip-compressed or not (drivers set Content-Encoding: gzip, but may send the body before compressing it). */
function parseBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  let text: Buffer = body;
  if (body[0] === 0x1f && body[1] === 0x8b) {
    try {
      text = gunzipSync(body, { maxOutputLength: MAX_INFLATED });
    } catch (e) {
      throw invalid400(`the request body is not valid gzip (${(e as Error).message})`);
    }
  }
  try {
    return JSON.parse(text.toString('utf8'));
  } catch {
    throw invalid400('the request body is not valid JSON');
  }
}
