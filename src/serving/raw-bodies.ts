import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorReply, type HttpReply } from './http-reply.js';

/**
 * Makes `app` (or an encapsulated plugin scope) hand every request body to its handlers as text,
 * whatever the content type, so the protocol handler (not fastify) decides what is accepted; bodies
 * over `limit` bytes get 413 and fastify's other client errors keep their status. Every error body
 * is `{"error": {"code", "message"}}`, unless `face` rewrites it for the caller's protocol.
 */
export function acceptRawBodies(
  app: FastifyInstance,
  limit: number,
  face: (req: FastifyRequest, r: HttpReply) => HttpReply = (_req, r) => r,
): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: limit }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: FastifyError, req, reply) => sendReply(reply, face(req, frameworkErrorReply(err, limit))));
}

/** An error raised by fastify itself (body limit, parsing, schema validation) as an error reply; `limit` is the body limit to name in a 413. */
export function frameworkErrorReply(err: FastifyError, limit: number): HttpReply {
  if (err.statusCode === 413)
    return errorReply('RESOURCE_EXHAUSTED', `the request body is larger than the ${formatBytes(limit)} limit`, 413);
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  return errorReply(status === 500 ? 'INTERNAL' : 'INVALID_ARGUMENT', err.message, status);
}

export const sendReply = (reply: FastifyReply, r: HttpReply): FastifyReply =>
  reply
    .code(r.status)
    .headers(r.headers ?? {})
    .header('content-type', r.contentType)
    .send(r.body);

const MB = 1024 * 1024;
const formatBytes = (n: number): string => (n >= MB && n % MB === 0 ? `${n / MB} MB (${n} bytes)` : `${n} bytes`);
