import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { RecpipeError } from '../core/errors.js';
import type { ApiKeyIdentity, ApiKeyStore } from './api-key-store.js';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** A request as it arrived: the raw path and query as sent, the headers, the body's bytes. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as on the wire (`/endpoints/x/invocations?a=b`). */
  readonly url: string;
  readonly headers: HeaderBag;
  readonly body: string | Uint8Array | undefined;
}

export interface SigV4Options {
  /** The region credentials must be scoped to (default us-east-1). */
  readonly region?: string;
  /** The signing name (SageMaker's control plane and runtime both sign as `sagemaker`). */
  readonly service?: string;
  /** How far the request's date may be from the server's clock (AWS: 15 minutes). */
  readonly skewMs?: number;
  /** Signatures remembered against replay; past this many, new requests are refused until old ones expire. */
  readonly maxRemembered?: number;
  readonly now?: () => number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const AUTH_PARTS = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

/** Whether the request carries a SigV4 Authorization header (AWS SDKs, boto3, the AWS CLI). */
export function isSigV4(headers: HeaderBag): boolean {
  const auth = headers.authorization;
  return typeof auth === 'string' && auth.startsWith(ALGORITHM);
}

/** An authentication failure as AWS names it (`InvalidSignatureException`…), with AWS's status. */
function awsAuthError(type: string, message: string, status = 403): RecpipeError {
  return new RecpipeError('UNAUTHENTICATED', message, { awsType: type, awsStatus: status });
}

const header = (headers: HeaderBag, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/**
 * Verifies AWS Signature Version 4 on requests signed with access keys recpipe issued: parses the
 * Authorization header, checks the credential scope (date, region, service), the clock skew and
 * replays, then recomputes the signature with @smithy/signature-v4 over the same signed headers and
 * compares in constant time. Query-string (presigned) signatures are not accepted.
 */
export class SigV4Verifier {
  readonly region: string;
  private readonly service: string;
  private readonly skewMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => number;
  /** Signature → when it stops being acceptable anyway (its date + the skew window). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly secretOf: (accessKeyId: string) => string | undefined,
    opts: SigV4Options = {},
  ) {
    this.region = opts.region ?? 'us-east-1';
    this.service = opts.service ?? 'sagemaker';
    this.skewMs = opts.skewMs ?? 15 * 60_000;
    this.maxRemembered = opts.maxRemembered ?? 200_000;
    this.now = opts.now ?? Date.now;
  }

  /** The key's owner, or an UNAUTHENTICATED error carrying AWS's error type and status. */
  async verify(req: SignedRequest): Promise<ApiKeyIdentity> {
    const auth = header(req.headers, 'authorization') ?? '';
    const m = AUTH_PARTS.exec(auth);
    if (!m) {
      throw awsAuthError(
        'IncompleteSignatureException',
        `Authorization header must be '${ALGORITHM} Credential=<key id>/<date>/<region>/<service>/aws4_request, SignedHeaders=<names>, Signature=<64 hex digits>'`,
        400,
      );
    }
    const [, credential, signedList, signature] = m;
    const scope = credential.split('/');
    if (scope.length !== 5 || scope[4] !== 'aws4_request') {
      throw awsAuthError('IncompleteSignatureException', `Credential must be <key id>/<date>/<region>/<service>/aws4_request`, 400);
    }
    const [accessKeyId, scopeDate, region, service] = scope;
    const amzDate = header(req.headers, 'x-amz-date') ?? '';
    const signedAt = parseAmzDate(amzDate);
    if (signedAt === null) throw awsAuthError('IncompleteSignatureException', 'X-Amz-Date must be a date such as 20240101T120000Z', 400);
    const signed = signedList.split(';');
    if (!signed.includes('host') || !signed.includes('x-amz-date'))
      throw awsAuthError('InvalidSignatureException', 'SignedHeaders must include host and x-amz-date');
    if (scopeDate !== amzDate.slice(0, 8))
      throw awsAuthError(
        'InvalidSignatureException',
        `Credential should be scoped to a valid date: '${amzDate.slice(0, 8)}', not '${scopeDate}'`,
      );
    if (region !== this.region)
      throw awsAuthError('InvalidSignatureException', `Credential should be scoped to a valid region: '${this.region}', not '${region}'`);
    if (service !== this.service)
      throw awsAuthError(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${this.service}', not '${service}'`,
      );
    const now = this.now();
    if (Math.abs(now - signedAt) > this.skewMs) {
      const early = signedAt < now;
      throw awsAuthError(
        'InvalidSignatureException',
        `Signature ${early ? 'expired' : 'not yet current'}: ${amzDate} is ${early ? 'earlier' : 'later'} than ${formatAmzDate(now)} ${early ? '-' : '+'} 15 min.`,
      );
    }
    const identity = this.keys.awsKey(accessKeyId);
    const secret = identity ? this.secretOf(accessKeyId) : undefined;
    if (!identity || secret === undefined)
      throw awsAuthError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    const expected = await this.expectedSignature(req, signed, { accessKeyId, secret, signedAt, region, service });
    if (expected === null || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      throw awsAuthError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    this.remember(signature, signedAt + this.skewMs, now);
    return identity;
  }

  /** The signature the key's secret gives this request, or null when a signed header is missing or the payload hash is false. */
  private async expectedSignature(
    req: SignedRequest,
    signed: readonly string[],
    k: { accessKeyId: string; secret: string; signedAt: number; region: string; service: string },
  ): Promise<string | null> {
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const value = header(req.headers, name);
      if (value === undefined) return null;
      headers[name] = value;
    }
    const body = req.body === undefined ? new Uint8Array() : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const bodyHash = body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex');
    // A client may send the payload's hash; it is signed, but must also be the body's.
    const claimed = headers['x-amz-content-sha256'];
    if (claimed !== undefined && claimed !== bodyHash) return null;
    const q = req.url.indexOf('?');
    const query: Record<string, string | string[]> = {};
    if (q >= 0) {
      for (const [key, value] of new URLSearchParams(req.url.slice(q + 1))) {
        const prev = query[key];
        query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
      }
    }
    const signer = new SignatureV4({
      credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secret },
      region: k.region,
      service: k.service,
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: false,
    });
    const out = await signer.sign(
      {
        method: req.method,
        protocol: 'http:',
        hostname: headers.host ?? '',
        path: q >= 0 ? req.url.slice(0, q) : req.url,
        query,
        headers,
        body,
      },
      { signingDate: new Date(k.signedAt), signableHeaders: new Set(signed) },
    );
    const m = /Signature=([0-9a-f]{64})$/.exec(String(out.headers.authorization));
    const list = /SignedHeaders=([^,]+),/.exec(String(out.headers.authorization));
    // The signer must have covered exactly the headers the client named.
    return m && list?.[1] === signed.join(';') ? m[1] : null;
  }

  private remember(signature: string, until: number, now: number): void {
    if (this.seen.has(signature))
      throw awsAuthError('InvalidSignatureException', 'The request signature has already been used; sign each request afresh.');
    if (this.seen.size >= this.maxRemembered || this.seen.size % 4096 === 4095) {
      for (const [s, t] of this.seen) if (t < now) this.seen.delete(s);
      if (this.seen.size >= this.maxRemembered)
        throw new RecpipeError('RESOURCE_EXHAUSTED', 'too many signed requests in the last 15 minutes; retry later', {
          awsType: 'ThrottlingException',
          awsStatus: 400,
        });
    }
    this.seen.set(signature, until);
  }
}

function parseAmzDate(text: string): number | null {
  const m = AMZ_DATE.exec(text);
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(t) ? null : t;
}

const formatAmzDate = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
