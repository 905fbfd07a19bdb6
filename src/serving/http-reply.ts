import { isRecpipeError, type ErrorCode } from '../core/index.js';

/** What a handler answers; the web framework only copies it onto the wire. */
export interface HttpReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** The model server's one mapping from error codes to HTTP statuses. */
const STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FAILED_PRECONDITION: 400,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  UNAUTHENTICATED: 401,
  INTERNAL: 500,
};

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Errors are always JSON, `{"error": {"code", "message"}}`, whatever the request's content type:
 * one shape for every client to parse. `status` overrides the code's usual status (413, 415).
 */
export function errorReply(code: ErrorCode, message: string, status = STATUS[code]): HttpReply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify({ error: { code, message } }) };
}

export function replyForError(e: unknown): HttpReply {
  if (isRecpipeError(e)) return errorReply(e.code, e.message);
  return errorReply('INTERNAL', `internal error: ${e instanceof Error ? e.message : String(e)}`);
}

export const jsonReply = (body: string, status = 200): HttpReply => ({ status, contentType: JSON_TYPE, body });
