import type { FastifyReply } from 'fastify';
import { isRecpipeError, type ErrorCode } from '../core/errors.js';
import { httpStatus } from '../util/error-status.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
}

/** Shape of errors raised by fastify itself (body parsing, schema validation, limits). */
interface FrameworkError {
  statusCode?: number;
  code?: string;
  message: string;
  validation?: ValidationIssue[];
  validationContext?: string;
}

/** One ajv error as fastify attaches it. */
interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns anything thrown while serving into a status and `{ error: { code, message } }`. */
export function toErrorResponse(e: unknown): ErrorResponse {
  // A request over a size limit is 413 rather than RESOURCE_EXHAUSTED's usual 429: retrying it as is cannot help.
  if (isRecpipeError(e)) return reply(e.details.httpStatus === 413 ? 413 : httpStatus(e.code), e.code, e.message);
  const err = (e instanceof Error ? e : new Error(String(e))) as Error & FrameworkError;
  if (err.validation) return reply(400, 'INVALID_ARGUMENT', validationMessage(err.validation, err.validationContext ?? 'request'));
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return reply(400, 'INVALID_ARGUMENT', 'request body is not valid JSON (content-type is application/json)');
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return reply(status, codeForClientStatus(status), err.message);
  return reply(500, 'INTERNAL', `internal error: ${err.message}`);
}

/**
 * The service's one error reply, for every route area (/api/v1, /ext, the runtime): the status from
 * the error table, `{"error": {"code", "message"}}`, and the headers a status promises —
 * Retry-After with 429 (every limit here frees within a second) and a Bearer challenge with 401.
 */
export function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  const { status, body } = toErrorResponse(e);
  if (status === 429) reply.header('retry-after', '1');
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).type('application/json').send(body);
}

/** Names the offending field: `body.sesionId is not a known field`, `body.sql must be string`. */
function validationMessage(issues: ValidationIssue[], context: string): string {
  const parts = issues.map((v) => {
    const at = context + v.instancePath.replace(/\//g, '.');
    if (v.keyword === 'additionalProperties') return `${at}.${String(v.params.additionalProperty)} is not a known field`;
    if (v.keyword === 'type' && v.instancePath === '' && context === 'body')
      return 'request body must be a JSON object (content-type: application/json)';
    return `${at} ${v.message ?? 'is invalid'}`;
  });
  return `invalid request: ${parts.join('; ')}`;
}

function codeForClientStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413 || status === 429) return 'RESOURCE_EXHAUSTED';
  return 'INVALID_ARGUMENT';
}

function reply(status: number, code: ErrorCode, message: string): ErrorResponse {
  return { status, body: { error: { code, message } } };
}
