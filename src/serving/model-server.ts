import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { Predictor, type FactorModel } from '../core/index.js';
import { errorReply, type HttpReply } from './http-reply.js';
import { invocations, ping } from './invocations.js';

/** SageMaker's limit on a real-time invocation payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface ModelServerOptions {
  /** Largest accepted request body; larger ones get 413. Default 6 MB, as SageMaker. */
  readonly maxBodyBytes?: number;
}

/**
 * The SageMaker inference-container contract over one model: `GET /ping`, `POST /invocations`.
 * Returns the (not yet listening) fastify instance; the handlers hold all behaviour.
 */
export function createModelServer(model: FactorModel, opts: ModelServerOptions = {}): FastifyInstance {
  const predictor = new Predictor(model);
  const limit = opts.maxBodyBytes ?? MAX_PAYLOAD_BYTES;
  const app = Fastify({ logger: false, bodyLimit: limit, ajv: { customOptions: { coerceTypes: false } } });

  // Bodies arrive as text whatever their type, so the handler (not fastify) decides what is accepted.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const pong = ping(model);
  app.get('/ping', (_req, reply) => send(reply, pong));
  app.post('/invocations', (req, reply) => send(reply, invocations(predictor, req.headers['content-type'], req.body as string | undefined)));

  app.setNotFoundHandler((req, reply) =>
    send(reply, errorReply('NOT_FOUND', `no route ${req.method} ${req.url}; this server answers GET /ping and POST /invocations`)),
  );
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.statusCode === 413) {
      return send(reply, errorReply('RESOURCE_EXHAUSTED', `the request body is larger than the ${formatBytes(limit)} limit`, 413));
    }
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return send(reply, errorReply(status === 500 ? 'INTERNAL' : 'INVALID_ARGUMENT', err.message, status));
  });
  return app;
}

const send = (reply: FastifyReply, r: HttpReply): FastifyReply => reply.code(r.status).header('content-type', r.contentType).send(r.body);

const MB = 1024 * 1024;
const formatBytes = (n: number): string => (n >= MB && n % MB === 0 ? `${n / MB} MB (${n} bytes)` : `${n} bytes`);
