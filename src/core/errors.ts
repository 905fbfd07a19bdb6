/**
 * Every error recpipe raises on purpose carries a code; the edges (HTTP, CLI) map codes in one table, src/util/error-status.ts.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL';

export class RecpipeError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'RecpipeError';
    this.code = code;
    this.details = details;
  }
}

export const invalid = (message: string, details?: Record<string, unknown>): RecpipeError =>
  new RecpipeError('INVALID_ARGUMENT', message, details);

export const notFound = (message: string, details?: Record<string, unknown>): RecpipeError =>
  new RecpipeError('NOT_FOUND', message, details);

export const isRecpipeError = (e: unknown): e is RecpipeError => e instanceof RecpipeError;
