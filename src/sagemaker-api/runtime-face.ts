import type { HttpReply } from '../serving/index.js';
import { ACCOUNT_ID, awsErrorBody } from './aws-errors.js';

/** The recpipe error code in an error reply's `{"error": {"code", "message"}}` body. */
function recpipeError(r: HttpReply): { code: string; message: string } {
  try {
    const e = (JSON.parse(r.body) as { error?: { code?: unknown; message?: unknown } }).error;
    return { code: String(e?.code ?? 'INTERNAL'), message: String(e?.message ?? r.body) };
  } catch {
    return { code: 'INTERNAL', message: r.body };
  }
}

/**
 * An invocation's reply as SageMaker's runtime gives it to an AWS SDK caller. The model's own
 * refusals (malformed lines, content types) are the container's: 424 ModelError carrying the
 * container's status and message. A missing endpoint is 400 ValidationError naming the account, one
 * still loading 429 ModelNotReadyException, an oversized body 413 ValidationError; throttling and
 * server faults keep AWS's names. Successful answers name their production variant.
 */
export function sagemakerInvocation(endpoint: string, variant: string, r: HttpReply, fromModel: boolean, aws: boolean): HttpReply {
  if (r.status < 400) return { ...r, headers: { ...r.headers, 'x-amzn-invoked-production-variant': variant } };
  if (!aws) return r;
  const { code, message } = recpipeError(r);
  if (fromModel && r.status < 500) {
    return awsErrorBody('ModelError', 424, `Received client error (${r.status}) from primary with message "${message}".`, {
      OriginalStatusCode: r.status,
      OriginalMessage: message,
    });
  }
  if (code === 'NOT_FOUND') return awsErrorBody('ValidationError', 400, `Endpoint ${endpoint} of account ${ACCOUNT_ID} not found.`);
  if (r.status === 503) return awsErrorBody('ModelNotReadyException', 429, message);
  if (r.status === 413) return awsErrorBody('ValidationError', 413, `Request payload size exceeded: ${message}`);
  if (r.status === 429) return awsErrorBody('ThrottlingException', 429, message);
  if (r.status >= 500) return awsErrorBody('InternalFailure', 500, message);
  return awsErrorBody('ValidationError', 400, message);
}
