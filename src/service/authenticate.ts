import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isSigV4, type Authenticator, type Caller } from '../auth/index.js';
import { awsErrorReply } from '../sagemaker-api/index.js';
import { sendReply } from '../serving/index.js';
import { RecpipeError } from '../core/errors.js';
import { sendError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every route but the open ones (health, endpoint ping). */
    caller?: Caller;
  }
  interface FastifyContextConfig {
    /** Routes of another protocol that authenticates its own way (Snowflake's session tokens, signed chunk URLs). */
    ownAuthentication?: boolean;
    /** The web console's own routes: their one credential is the console's session cookie (see consoleCaller). */
    console?: boolean;
  }
}

/** Routes anyone may call: load balancers and SageMaker-style health checks carry no credentials. */
const OPEN_ROUTES = new Set(['/api/v1/health', '/endpoints/:name/ping']);

/** Routes AWS clients call, where a SigV4 signature stands for a credential (its body is read as text, so it can be checked). */
const SIGNED_ROUTES = new Set(['/', '/endpoints/:name/invocations']);

/**
 * The console's routes take its session cookie and nothing else (the cookie counts nowhere else).
 * Every other request must carry the owner token or an API key; 401 otherwise, before any body is
 * read. A SigV4-signed request to a SageMaker route is checked once its body has been read (the
 * signature covers it); AWS's error shape answers its failures.
 */
export function requireCaller(app: FastifyInstance, auth: Authenticator, consoleCaller?: (request: FastifyRequest) => Caller): void {
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (request.routeOptions.config?.ownAuthentication === true) return;
    if (request.routeOptions.config?.console === true && consoleCaller !== undefined) {
      try {
        request.caller = consoleCaller(request);
        return;
      } catch (e) {
        return sendError(reply, e);
      }
    }
    if ((request.method === 'GET' || request.method === 'HEAD') && route !== undefined && OPEN_ROUTES.has(route)) return;
    if (isSigV4(request.headers)) {
      if (request.method === 'POST' && route !== undefined && SIGNED_ROUTES.has(route)) return;
      const e = new RecpipeError(
        'UNAUTHENTICATED',
        `SigV4 signatures are accepted on SageMaker's routes only (POST / and /endpoints/{name}/invocations); send an API key here`,
        { awsType: 'InvalidSignatureException', awsStatus: 403 },
      );
      return sendReply(reply, awsErrorReply(e));
    }
    try {
      request.caller = auth.identify(request.headers);
    } catch (e) {
      return sendError(reply, e);
    }
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.caller !== undefined || !isSigV4(request.headers)) return;
    try {
      const body = request.body;
      request.caller = await auth.identifySigned({
        method: request.method,
        url: request.raw.url ?? request.url,
        headers: request.headers,
        body: typeof body === 'string' || body instanceof Uint8Array ? body : undefined,
      });
    } catch (e) {
      return sendReply(reply, awsErrorReply(e));
    }
  });
}

/** The request's caller; routes behind requireCaller always have one. */
export function callerOf(request: { caller?: Caller }): Caller {
  if (!request.caller) throw new Error('route registered outside requireCaller');
  return request.caller;
}
