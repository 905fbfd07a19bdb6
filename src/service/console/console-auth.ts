import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator, Caller } from '../../auth/index.js';
import { RecpipeError } from '../../core/errors.js';
import { SF_CODES, USER_DISABLED, USER_LOCKED } from '../../snowflake-protocol/index.js';
import type { ServiceContext } from '../context.js';
import { openSession } from '../handlers/sessions.js';
import { ConsoleSessions, SESSION_COOKIE, cookieValue, type ConsoleSession } from './console-sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on the console's own routes, once its cookie (and for changes its CSRF header) was checked. */
    consoleSession?: ConsoleSession;
  }
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The caller of a console route: its session cookie, plus the session's CSRF token in a header for
 * anything but a read. Another site's page can make a browser send the cookie (SameSite aside) but
 * cannot read the token, so it cannot change anything; and the cookie counts on no other route.
 */
export function consoleCaller(auth: Authenticator, sessions: ConsoleSessions, request: FastifyRequest): Caller {
  const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
  const session = token === undefined ? null : sessions.find(token);
  if (session === null)
    throw new RecpipeError('UNAUTHENTICATED', 'sign in to the console first (no console session, or it expired or ended)');
  if (!auth.stands(session.caller)) {
    // Ends this sign-in and every other the revoked credential opened, on every face.
    auth.revoked();
    throw new RecpipeError(
      'UNAUTHENTICATED',
      'this console session ended: the API key or user it signed in with was revoked, dropped or disabled',
    );
  }
  const presented = request.headers[CSRF_HEADER];
  if (!SAFE_METHODS.has(request.method) && !ConsoleSessions.csrfMatches(session, Array.isArray(presented) ? presented[0] : presented))
    throw new RecpipeError('PERMISSION_DENIED', `a console request that changes anything needs the session's ${CSRF_HEADER} header`);
  request.consoleSession = session;
  return session.caller;
}

export interface SignInBody {
  user?: string;
  password?: string;
  apiKey?: string;
}

/** The caller a password or an API key stands for, or UNAUTHENTICATED without saying which part was wrong. */
export async function signInCaller(ctx: ServiceContext, body: SignInBody): Promise<Caller> {
  const refused = new RecpipeError('UNAUTHENTICATED', 'incorrect user name, password or API key');
  if (body.apiKey !== undefined) {
    let caller: Caller;
    try {
      caller = ctx.auth.identify({ 'x-api-key': body.apiKey });
    } catch {
      throw refused;
    }
    if (!caller.owner && caller.user === null)
      throw new RecpipeError(
        'PERMISSION_DENIED',
        `API key '${caller.name}' has no user, so it cannot run worksheets; sign in with a user's key`,
      );
    return caller;
  }
  const { user, password } = body;
  if (user === undefined || password === undefined) throw new RecpipeError('INVALID_ARGUMENT', 'sign in with user and password, or apiKey');
  const outcome = user.length > 255 || password.length > 1024 ? 'wrong' : await ctx.engine.access.signIn(user, password);
  if (outcome === 'locked') throw new RecpipeError('UNAUTHENTICATED', USER_LOCKED, { snowflakeCode: SF_CODES.userLocked });
  if (outcome === 'disabled') throw new RecpipeError('UNAUTHENTICATED', USER_DISABLED, { snowflakeCode: SF_CODES.userDisabled });
  if (outcome !== 'ok') throw refused;
  // Login names are case-insensitive, as in Snowflake.
  const info = ctx.engine.access.users().find((u) => u.name.toUpperCase() === user.toUpperCase());
  if (info === undefined) throw refused;
  return {
    user: info.name,
    role: info.defaultRole ?? 'PUBLIC',
    name: `console:${info.name}`,
    prefix: `console:${info.name}`,
    owner: false,
  };
}

/** Signs a caller in: an engine session for its worksheets and the session cookie. */
export function startConsoleSession(
  ctx: ServiceContext,
  sessions: ConsoleSessions,
  caller: Caller,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const engineSession = openSession(ctx, caller);
  const { token, session } = sessions.open(caller);
  session.engineSessionId = engineSession.id;
  reply.header('set-cookie', sessionCookie(token, Math.floor(sessions.lifetimeMs / 1000), request));
  return session;
}

export async function endConsoleSession(ctx: ServiceContext, sessions: ConsoleSessions, request: FastifyRequest, reply: FastifyReply) {
  const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
  const session = token === undefined ? null : sessions.close(token);
  reply.header('set-cookie', sessionCookie('', 0, request));
  if (session?.engineSessionId) {
    const engineSession = ctx.sessions.remove(session.engineSessionId, session.caller.prefix);
    if (engineSession) await ctx.engine.endSession(engineSession);
  }
}

/** `Secure` when the request came over https (or a proxy fastify trusts said so): a plain-http console on loopback still works. */
function sessionCookie(value: string, maxAge: number, request: FastifyRequest): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}
