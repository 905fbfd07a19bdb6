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
interface EdgeNames {
  readonly http: number;
  readonly exit: number;
  readonly aws: { readonly type: string; readonly status: number };
  readonly snowflake: { readonly code: string; readonly sqlState: string };
}

const edges = (http: number, exit: number, aws: [string, number], snowflake: [string, string]): EdgeNames => ({
  http,
  exit,
  aws: { type: aws[0], status: aws[1] },
  snowflake: { code: snowflake[0], sqlState: snowflake[1] },
});

export const ERROR_STATUS: Readonly<Record<ErrorCode, EdgeNames>> = {
  INVALID_ARGUMENT: edges(400, 2, ['ValidationException', 400], ['001003', '42000']),
  UNAUTHENTICATED: edges(401, 8, ['UnrecognizedClientException', 403], ['390100', '08004']),
  PERMISSION_DENIED: edges(403, 6, ['AccessDeniedException', 400], ['003001', '42501']),
  NOT_FOUND: edges(404, 3, ['ResourceNotFound', 400], ['002003', '02000']),
  CONFLICT: edges(409, 4, ['ResourceInUse', 400], ['002002', '42710']),
  FAILED_PRECONDITION: edges(409, 5, ['ValidationException', 400], ['000606', '57P03']),
  RESOURCE_EXHAUSTED: edges(429, 7, ['ThrottlingException', 400], ['000625', '57014']),
  INTERNAL: edges(500, 1, ['InternalFailure', 500], ['000603', 'XX000']),
};

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const httpStatus = (code: ErrorCode): number => ERROR_STATUS[code].http;

export const exitCode = (code: ErrorCode): number => ERROR_STATUS[code].exit;
