import { isRecpipeError, type ErrorCode } from '../core/index.js';
import { httpStatus } from '../util/error-status.js';

/** What a handler answers; the web framework only copies it onto the wire. */
export interface HttpReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Further response headers (SageMaker's x-amzn-* ones). */
  readonly headers?: Readonly<Record<string, string>>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Errors are always JSON, `{"error": {"code", "message"}}`, whatever the request's content type:
 * one shape for every client to parse. `status` overrides the code's usual status (413, 415).
 */
export function errorReply(code: ErrorCode, message: string, status = httpStatus(code)): HttpReply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify({ error: { code, message } }) };
}

export function replyForError(e: unknown): HttpReply {
  if (isRecpipeError(e)) return errorReply(e.code, e.message);
  return errorReply('INTERNAL', `internal error: ${e instanceof Error ? e.message : String(e)}`);
}

export const jsonReply = (body: string, status = 200): HttpReply => ({ status, contentType: JSON_TYPE, body });
