import type { ErrorCode } from '../core/errors.js';

/**
 * The one mapping from error code to what each edge says: the HTTP status of the service, the model
 * server and the /ext receiving side, the CLI's exit code, the AWS error type and status of the
 * SageMaker APIs, and Snowflake's error code and SQLSTATE on its REST protocol. FAILED_PRECONDITION is
 * 409, not 412: 412 is reserved for conditional-request headers (If-Match…), while "the system is not
 * in the state this operation needs" is a conflict with the resource's current state. SageMaker
 * answers client faults with 400 whatever the kind (a missing resource is ResourceNotFound, a busy one
 * ResourceInUse), server faults with 500.
 */
export const ERROR_STATUS: Readonly<
  Record<
    ErrorCode,
    {
      readonly http: number;
      readonly exit: number;
      readonly aws: { readonly type: string; readonly status: number };
      readonly snowflake: { readonly code: string; readonly sqlState: string };
    }
  >
> = {
  INVALID_ARGUMENT: {
    http: 400,
    exit: 2,
    aws: { type: 'ValidationException', status: 400 },
    snowflake: { code: '001003', sqlState: '42000' },
  },
  UNAUTHENTICATED: {
    http: 401,
    exit: 8,
    aws: { type: 'UnrecognizedClientException', status: 403 },
    snowflake: { code: '390100', sqlState: '08004' },
  },
  PERMISSION_DENIED: {
    http: 403,
    exit: 6,
    aws: { type: 'AccessDeniedException', status: 400 },
    snowflake: { code: '003001', sqlState: '42501' },
  },
  NOT_FOUND: { http: 404, exit: 3, aws: { type: 'ResourceNotFound', status: 400 }, snowflake: { code: '002003', sqlState: '02000' } },
  CONFLICT: { http: 409, exit: 4, aws: { type: 'ResourceInUse', status: 400 }, snowflake: { code: '002002', sqlState: '42710' } },
  FAILED_PRECONDITION: {
    http: 409,
    exit: 5,
    aws: { type: 'ValidationException', status: 400 },
    snowflake: { code: '000606', sqlState: '57P03' },
  },
  RESOURCE_EXHAUSTED: {
    http: 429,
    exit: 7,
    aws: { type: 'ThrottlingException', status: 400 },
    snowflake: { code: '000625', sqlState: '57014' },
  },
  INTERNAL: { http: 500, exit: 1, aws: { type: 'InternalFailure', status: 500 }, snowflake: { code: '000603', sqlState: 'XX000' } },
};

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const httpStatus = (code: ErrorCode): number => ERROR_STATUS[code].http;

export const exitCode = (code: ErrorCode): number => ERROR_STATUS[code].exit;
