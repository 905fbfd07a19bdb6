import Fastify, { type FastifyInstance } from 'fastify';
import { Predictor, type FactorModel } from '../core/index.js';
import { errorReply } from './http-reply.js';
import { invocations, ping } from './invocations.js';
import { acceptRawBodies, sendReply as send } from './raw-bodies.js';

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
  acceptRawBodies(app, limit);

  const pong = ping(model);
  app.get('/ping', (_req, reply) => send(reply, pong));
  app.post('/invocations', (req, reply) =>
    send(reply, invocations(predictor, req.headers['content-type'], req.body as string | undefined)),
  );

  app.setNotFoundHandler((req, reply) =>
    send(reply, errorReply('NOT_FOUND', `no route ${req.method} ${req.url}; this server answers GET /ping and POST /invocations`)),
  );
  return app;
}
