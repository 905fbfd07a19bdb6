import { RecpipeError } from '../core/errors.js';
import { watch, type FSWatcher } from 'node:fs';
import { API_KEYS_FILE, ApiKeyStore } from './api-key-store.js';
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

  /** Whether a user may still act (exists, not disabled); a key of a user who may not is refused. */
  readonly userActive: (user: string) => boolean;

  constructor(
    readonly home: string,
    opts: { awsRegion?: string; userActive?: (user: string) => boolean } = {},
  ) {
    this.userActive = opts.userActive ?? (() => true);
    this.keys = new ApiKeyStore(home);
    this.ownerToken = ensureOwnerToken(home);
    const secrets = new SecretStore(home, new Map());
    this.sigv4 = new SigV4Verifier(this.keys, (id) => secrets.get(awsSecretName(id)), { region: opts.awsRegion });
  }

  /** The caller of a SigV4-signed request (see isSigV4), or UNAUTHENTICATED with AWS's error type. */
  async identifySigned(req: SignedRequest): Promise<Caller> {
    const found = await this.sigv4.verify(req);
    if (found.user !== null && !this.userActive(found.user)) throw inactiveUser(found.user);
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
    if (found.user !== null && !this.userActive(found.user)) throw inactiveUser(found.user);
    return { user: found.user, role: found.role, name: found.name, prefix: found.prefix, owner: false };
  }

  /**
   * Whether the credential behind a caller resolved earlier still stands: a console sign-in or a stored
   * session lives on after the request that opened it, so each use asks again. A key must not have been
   * revoked, and the user it (or a password) signs in as must exist and not be disabled.
   */
  stands(caller: Caller): boolean {
    return caller.owner || this.sessionStands(caller.prefix, caller.user ?? undefined);
  }

  /** Whether a session opened by credential `prefix` (a key's prefix, or a sign-in's name) acting as `user` may go on. */
  sessionStands(prefix: string, user: string | undefined): boolean {
    if (user !== undefined && !this.userActive(user)) return false;
    return !ApiKeyStore.isKeyPrefix(prefix) || this.keys.holds(prefix);
  }

  readonly #sweeps = new Set<() => void>();
  #watcher: FSWatcher | null = null;
  #pending: NodeJS.Immediate | null = null;

  /**
   * A face that keeps sessions beyond one request (console sign-ins, Snowflake logins, /api/v1 sessions)
   * adds how it ends those whose credential no longer stands; returns the removal.
   */
  onRevocation(sweep: () => void): () => void {
    this.#sweeps.add(sweep);
    return () => this.#sweeps.delete(sweep);
  }

  /** Ends, on every face and on disk, the sessions of a revoked key, a dropped or disabled user or an unset key pair. */
  revoked(): void {
    for (const sweep of this.#sweeps) sweep();
  }

  /**
   * Sweeps soon after the key file changes: `recpipe keys revoke` is another process, and the sessions
   * its key opened must end (on disk too) without waiting for their next use, which checks anyway.
   */
  watchKeys(): void {
    if (this.#watcher !== null) return;
    try {
      const keys = this.keys.watchedBy();
      this.#watcher = watch(this.home, (_event, file) => {
        // A platform that does not name the file (null) may be reporting the key file: count it as changed.
        if (file !== API_KEYS_FILE && file !== null) return;
        keys.changed();
        if (this.#pending !== null) return;
        this.#pending = setImmediate(() => {
          this.#pending = null;
          this.revoked();
        });
      });
      this.#watcher.on('error', () => keys.unwatched());
      this.#watcher.on('close', () => keys.unwatched());
      this.#watcher.unref();
    } catch {
      // No file events here (some network file systems): each use of a session still checks its key.
      this.keys.watchedBy().unwatched();
    }
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#pending !== null) clearImmediate(this.#pending);
    this.keys.flush();
  }
}

const inactiveUser = (user: string): RecpipeError =>
  new RecpipeError('UNAUTHENTICATED', `the API key's user ${user} was dropped or disabled; its sessions have ended`);
