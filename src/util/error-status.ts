import type { ErrorCode } from '../core/errors.js';

/**
 * The one mapping from error code to what each edge says: the HTTP status of the service, the model
 * server and the /ext receiving side, and the CLI's exit code. FAILED_PRECONDITION is 409, not 412:
 * 412 is reserved for conditional-request headers (If-Match…), while "the system is not in the state
 * this operation needs" is a conflict with the resource's current state.
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, { readonly http: number; readonly exit: number }>> = {
  INVALID_ARGUMENT: { http: 400, exit: 2 },
  UNAUTHENTICATED: { http: 401, exit: 8 },
  PERMISSION_DENIED: { http: 403, exit: 6 },
  NOT_FOUND: { http: 404, exit: 3 },
  CONFLICT: { http: 409, exit: 4 },
  FAILED_PRECONDITION: { http: 409, exit: 5 },
  RESOURCE_EXHAUSTED: { http: 429, exit: 7 },
  INTERNAL: { http: 500, exit: 1 },
};

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const httpStatus = (code: ErrorCode): number => ERROR_STATUS[code].http;

export const exitCode = (code: ErrorCode): number => ERROR_STATUS[code].exit;
