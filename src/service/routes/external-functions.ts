import { createHash } from 'node:crypto';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, UsageCheck } from '../../auth/index.js';
import { callerOf } from '../authenticate.js';
import { invalid, RecpipeError } from '../../core/errors.js';
import {
  BatchCache,
  encodeResponse,
  MAX_BATCH_BYTES,
  parseBatch,
  PayloadTooLarge,
  type Batch,
  readBatchHeaders,
  type BatchHeaders,
  type StoredAnswer,
} from '../../ext-protocol/index.js';
import type { ServiceContext } from '../context.js';
import { externalFunctions, type ExternalCall, type ExternalFunction } from '../handlers/external-functions.js';
import { sendError, toErrorResponse } from '../http-errors.js';
import type { RouteArea } from './route-area.js';

export interface ExternalFunctionOptions {
  /** Requests served at once before new ones get 429 with Retry-After. */
  maxInFlight?: number;
  /** A batch still working after this long is answered 202 and finished in the background (Snowflake then polls). */
  asyncAfterMs?: number;
  /** Recent batch answers kept for retries and polls. */
  cacheSize?: number;
  /** Largest request body, compressed or not (Snowflake sends at most 10 MB). */
  maxRequestBytes?: number;
  maxResponseBytes?: number;
  /** Whether a key's role may call a function. */
  usage?: UsageCheck;
}

/** Snowflake compresses nothing this small; gzip would only add its header. */
const GZIP_MIN_BYTES = 1024;

/**
 * The caller waits on every answer, so gzip is fast rather than thorough: level 1 for JSON in
 * general (already several-fold smaller), and for scores Huffman coding alone, which on
 * a batch of floating-point digits comes within 2% of level 1's size in half its time.
 */
const FAST_GZIP = { level: 1 } as const;
const HUFFMAN_ONLY = { strategy: zlibConstants.Z_HUFFMAN_ONLY } as const;

/**
 * Snowflake's external-function protocol at /ext/train, /ext/deploy, /ext/invoke and /ext/recommend:
 * POST {"data": [[row, arg…], …]} → {"data": [[row, value], …]}; 202 and GET polls for slow batches;
 * batch ids as idempotency keys; gzip both ways; API keys tied to roles.
 */
export function externalFunctionArea(opts: ExternalFunctionOptions = {}): RouteArea {
  return async (app, ctx) => {
    await app.register(async (scope) => registerExt(scope, ctx, opts));
  };
}

export const externalFunctionRoutes: RouteArea = externalFunctionArea();

function registerExt(app: FastifyInstance, ctx: ServiceContext, opts: ExternalFunctionOptions): void {
  // A key acts as its role: USAGE comes from the same grants SQL callers are checked against.
  const usage = opts.usage ?? ((role: string, fn: string) => ctx.engine.access.hasUsage(role, fn));
  const cache = new BatchCache(opts.cacheSize ?? 4096);
  const maxInFlight = opts.maxInFlight ?? 256;
  const maxRequest = opts.maxRequestBytes ?? MAX_BATCH_BYTES;
  let inFlight = 0;

  // The body is taken as raw bytes whatever its content type: it may be gzip, and parse errors here get the protocol's own messages.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxRequest }, (_req, body, done) => done(null, body));
  app.setErrorHandler((error, _request, reply) => {
    const tooLarge = (error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    return sendError(
      reply,
      tooLarge ? new PayloadTooLarge(`the request body is over ${maxRequest} bytes, Snowflake's 10 MB batch limit`) : error,
    );
  });

  const admit =
    (fn: ExternalFunction) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      // Refusals are thrown, so they leave through the area's error handler and the service's one error reply.
      if (inFlight >= maxInFlight) {
        throw new RecpipeError(
          'RESOURCE_EXHAUSTED',
          `recpipe is serving ${inFlight} external-function requests (limit ${maxInFlight}); retry after 1 s`,
        );
      }
      inFlight++;
      reply.raw.once('close', () => inFlight--);
      // The service's authentication hook has already answered 401 to requests without a valid credential.
      const caller = callerOf(request);
      const fnName = fn.signature.name.toUpperCase();
      if (!usage(caller.role, fnName)) {
        throw new RecpipeError(
          'PERMISSION_DENIED',
          `API key '${caller.name}' has role ${caller.role}, which lacks USAGE on function ${fnName}; grant usage on it to role ${caller.role} or use another key`,
        );
      }
    };

  for (const [path, fn] of Object.entries(externalFunctions)) {
    const url = `/ext/${path}`;
    const tags = ['external-functions'];
    const description = `Snowflake external function ${fn.signature.name}(${fn.signature.params.join(', ')}). Body {"data": [[row, ${fn.signature.params.join(', ')}], …]}.`;
    app.post(
      url,
      { onRequest: admit(fn), schema: { summary: `${fn.signature.name} (Snowflake external-function protocol)`, description, tags } },
      async (request, reply) => {
        const headers = readBatchHeaders(request.headers);
        const raw = decodeBody(request.body, request.headers['content-encoding'], maxRequest);
        const key = cacheKey(path, callerOf(request), headers);
        const fingerprint = createHash('sha256').update(raw).digest('base64');
        if (key !== null) {
          const found = cache.lookup(key, fingerprint);
          if (found.kind === 'conflict')
            throw new RecpipeError('CONFLICT', `batch id ${headers.batchId} was already used for a different request body`);
          // A retry of a batch that failed runs again: the failure may have been transient (a full job queue).
          if (found.kind === 'answered' && found.answer.status === 200) return send(request, reply, found.answer);
          if (found.kind === 'pending') return reply.code(202).type('application/json').send('{}');
        }
        // Malformed batches are refused now, never accepted with a 202 and failed later.
        const work = answer(
          ctx,
          fn,
          parseBatch(parseJson(raw), fn.signature),
          { ...headers, role: callerOf(request).role },
          opts.maxResponseBytes,
        );
        if (key === null) return send(request, reply, await work);
        cache.track(key, fingerprint, work);
        // Even when the caller asks for async mode, a batch that fails its checks at once gets its 4xx now, not after a 202.
        const first = await settledWithin(work, headers.async ? 0 : (opts.asyncAfterMs ?? 5000));
        const later = first === undefined || (headers.async && first.status === 200);
        return later ? reply.code(202).type('application/json').send('{}') : send(request, reply, first);
      },
    );
    app.get(
      url,
      {
        onRequest: admit(fn),
        schema: {
          summary: `Poll an asynchronous ${fn.signature.name} batch`,
          description: 'Same headers as the POST (the batch id): 202 while working, then the answer.',
          tags,
        },
      },
      async (request, reply) => {
        const headers = readBatchHeaders(request.headers);
        const key = cacheKey(path, callerOf(request), headers);
        if (key === null) throw invalid('polling needs the sf-external-function-query-batch-id header of the batch');
        const found = cache.lookup(key);
        if (found.kind === 'answered') return send(request, reply, found.answer);
        if (found.kind === 'pending') return reply.code(202).type('application/json').send('{}');
        throw new RecpipeError('NOT_FOUND', `no batch ${headers.batchId} of ${fn.signature.name} is in progress or recently answered`);
      },
    );
  }
}

/** Batches are keyed per caller too, so one key's batch id never reveals another's answer. */
function cacheKey(path: string, caller: Caller, h: BatchHeaders): string | null {
  return h.batchId === null ? null : `${path}\n${caller.prefix}\n${h.batchId}`;
}

/** Runs the function on the batch; errors become answers too, so a poll sees how the batch failed. */
async function answer(
  ctx: ServiceContext,
  fn: ExternalFunction,
  batch: Batch,
  call: ExternalCall,
  maxBytes?: number,
): Promise<StoredAnswer> {
  try {
    const values = await fn.run(ctx, batch, call);
    const numeric = values.every((v) => typeof v === 'number' || v === null);
    return { status: 200, body: encodeResponse(batch.rowNumbers, values, maxBytes), numeric };
  } catch (e) {
    const { status, body: err } = toErrorResponse(e);
    return { status, body: JSON.stringify(err) };
  }
}

function settledWithin(work: Promise<StoredAnswer>, ms: number): Promise<StoredAnswer | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function decodeBody(body: unknown, encoding: string | string[] | undefined, maxBytes: number): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw invalid('request body is empty; Snowflake sends {"data": [[row_number, arg…], …]}');
  const enc = (Array.isArray(encoding) ? encoding[0] : encoding)?.trim().toLowerCase() ?? 'identity';
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip') throw invalid(`content-encoding '${enc}' is not supported; send gzip or an uncompressed body`);
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLarge(`the gzip request body inflates to over ${maxBytes} bytes, Snowflake's 10 MB batch limit`);
    }
    throw invalid(`request body is not valid gzip (content-encoding: gzip): ${(e as Error).message}`);
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw invalid(`request body is not valid JSON: ${(e as Error).message}`);
  }
}

function send(request: FastifyRequest, reply: FastifyReply, a: StoredAnswer): FastifyReply {
  reply.code(a.status).type('application/json');
  if (a.status === 429) reply.header('retry-after', '1');
  const accepts = String(request.headers['accept-encoding'] ?? '');
  if (a.body.length >= GZIP_MIN_BYTES && /\bgzip\b/i.test(accepts)) {
    return reply
      .header('content-encoding', 'gzip')
      .header('vary', 'accept-encoding')
      .send(gzipSync(a.body, a.numeric ? HUFFMAN_ONLY : FAST_GZIP));
  }
  return reply.send(a.body);
}
