import type { FastifyInstance } from 'fastify';
import type { Authenticator, Caller } from '../auth/index.js';
import { sendError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every route but the open ones (health, endpoint ping). */
    caller?: Caller;
  }
  interface FastifyContextConfig {
    /** Routes of another protocol that authenticates its own way (Snowflake's session tokens, signed chunk URLs). */
    ownAuthentication?: boolean;
  }
}

/** Routes anyone may call: load balancers and SageMaker-style health checks carry no credentials. */
const OPEN_ROUTES = new Set(['/api/v1/health', '/endpoints/:name/ping']);

/** Every other request must carry the owner token or an API key; 401 otherwise, before any body is read. */
export function requireCaller(app: FastifyInstance, auth: Authenticator): void {
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (request.routeOptions.config?.ownAuthentication === true) return;
    if ((request.method === 'GET' || request.method === 'HEAD') && route !== undefined && OPEN_ROUTES.has(route)) return;
    try {
      request.caller = auth.identify(request.headers);
    } catch (e) {
      return sendError(reply, e);
    }
  });
}

/** The request's caller; routes behind requireCaller always have one. */
export function callerOf(request: { caller?: Caller }): Caller {
  if (!request.caller) throw new Error('route registered outside requireCaller');
  return request.caller;
}
