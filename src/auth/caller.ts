import { RecpipeError } from '../core/errors.js';
import { ApiKeyStore } from './api-key-store.js';
import { ensureOwnerToken, isOwnerToken } from './owner-token.js';
import { presentedKey } from './presented-key.js';
import { SecretStore } from '../secrets/index.js';
import { awsSecretName } from './api-key-store.js';
import { SigV4Verifier, type SignedRequest } from './sigv4.js';

/** Who sent a request, resolved once at the edge; everything after sees only this. */
export interface Caller {
  /** The user sessions act as; null for the home's owner (recpipe's built-in administrator, who may use every role). */
  readonly user: string | null;
  /** The role a key acts as for /ext/* calls (the owner acts as ACCOUNTADMIN). */
  readonly role: string;
  /** The credential's name and public prefix: keys sessions and batch caches per caller, never a secret. */
  readonly name: string;
  readonly prefix: string;
  readonly owner: boolean;
}

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const OWNER: Caller = { user: null, role: 'ACCOUNTADMIN', name: 'owner', prefix: 'owner', owner: true };

/**
 * The one place a request's credential becomes a caller: the home's owner token or an API key
 * (`Authorization: Bearer K` or `x-api-key: K`). Keys are re-read when the key file changes, so a
 * key created or revoked by the CLI counts at the next request.
 */
export class Authenticator {
  readonly keys: ApiKeyStore;
  private readonly ownerToken: string;
  /** SigV4 for the AWS access keys `recpipe keys create --aws` issues; their secrets are in the home's secret store. */
  readonly sigv4: SigV4Verifier;

  constructor(
    readonly home: string,
    opts: { awsRegion?: string } = {},
  ) {
    this.keys = new ApiKeyStore(home);
    this.ownerToken = ensureOwnerToken(home);
    const secrets = new SecretStore(home, new Map());
    this.sigv4 = new SigV4Verifier(this.keys, (id) => secrets.get(awsSecretName(id)), { region: opts.awsRegion });
  }

  /** The caller of a SigV4-signed request (see isSigV4), or UNAUTHENTICATED with AWS's error type. */
  async identifySigned(req: SignedRequest): Promise<Caller> {
    const found = await this.sigv4.verify(req);
    return { user: found.user, role: found.role, name: found.name, prefix: found.prefix, owner: false };
  }

  /** The caller, or UNAUTHENTICATED naming what was wrong (never echoing the credential). */
  identify(headers: HeaderBag): Caller {
    const key = presentedKey(headers);
    if (key === null) {
      throw new RecpipeError(
        'UNAUTHENTICATED',
        'an API key is required: send it as x-api-key or Authorization: Bearer (create one with: recpipe keys create --role SYSADMIN; the recpipe CLI on the home sends the owner token itself)',
      );
    }
    if (isOwnerToken(key, this.ownerToken)) return OWNER;
    const found = this.keys.verify(key);
    if (found === null) throw new RecpipeError('UNAUTHENTICATED', 'the API key is not valid (unknown, revoked or malformed)');
    return { user: found.user, role: found.role, name: found.name, prefix: found.prefix, owner: false };
  }

  close(): void {
    this.keys.flush();
  }
}
