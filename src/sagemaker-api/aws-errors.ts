import { randomUUID } from 'node:crypto';
import { isRecpipeError, RecpipeError, type ErrorCode } from '../core/errors.js';
import type { HttpReply } from '../serving/index.js';
import { ERROR_STATUS } from '../util/error-status.js';

/** recpipe is one account in one region: ARNs name it so SDKs that parse ARNs get well-formed ones. */
export const ACCOUNT_ID = '000000000000';

export const arn = (region: string, kind: string, name: string): string =>
  `arn:aws:sagemaker:${region}:${ACCOUNT_ID}:${kind}/${name.toLowerCase()}`;

/** An error with SageMaker's name for it (ValidationException, ResourceNotFound…) and its status. */
export function awsError(type: string, message: string, code: ErrorCode = 'INVALID_ARGUMENT', status = 400): RecpipeError {
  return new RecpipeError(code, message, { awsType: type, awsStatus: status });
}

/** What an AWS SDK reads back: the type in `x-amzn-errortype` and `__type`, the text in `message`. */
export function awsErrorBody(type: string, status: number, message: string, extra: Record<string, unknown> = {}): HttpReply {
  return {
    status,
    contentType: 'application/x-amz-json-1.1',
    headers: { 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: type, message, ...extra }),
  };
}

/** Anything thrown while serving an AWS caller, as SageMaker would answer it. */
export function awsErrorReply(e: unknown): HttpReply {
  if (isRecpipeError(e)) {
    const { awsType, awsStatus } = e.details as { awsType?: unknown; awsStatus?: unknown };
    const fallback = ERROR_STATUS[e.code].aws;
    return awsErrorBody(
      typeof awsType === 'string' ? awsType : fallback.type,
      typeof awsStatus === 'number' ? awsStatus : fallback.status,
      e.message,
    );
  }
  const framework = e as { statusCode?: number; message?: string };
  const status = framework?.statusCode;
  if (status === 413) return awsErrorBody('ValidationException', 413, 'Request payload size exceeded');
  if (status !== undefined && status >= 400 && status < 500) return awsErrorBody('ValidationException', 400, String(framework.message));
  return awsErrorBody('InternalFailure', 500, `internal error: ${e instanceof Error ? e.message : String(e)}`);
}

/** A JSON 1.1 answer. */
export const awsJsonReply = (value: unknown): HttpReply => ({
  status: 200,
  contentType: 'application/x-amz-json-1.1',
  headers: { 'x-amzn-requestid': randomUUID() },
  body: JSON.stringify(value),
});

/** SageMaker's timestamps on the wire: seconds since the epoch. */
export const epochSeconds = (iso: string | null | undefined): number | undefined =>
  iso === null || iso === undefined ? undefined : Date.parse(iso) / 1000;
