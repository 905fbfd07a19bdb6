import { createHash, randomBytes } from 'node:crypto';

/** A signed-in Snowflake-protocol session: the engine session it drives and who signed in. */
export interface SfLogin {
  /** Snowflake's numeric session id, as drivers report it. */
  readonly id: number;
  /** The engine session (in the service's session store) the protocol session drives. */
  readonly sessionId: string;
  readonly user: string;
}

export interface IssuedTokens {
  readonly token: string;
  readonly masterToken: string;
  readonly validityInSeconds: number;
  readonly masterValidityInSeconds: number;
}

interface Entry {
  readonly login: SfLogin;
  tokenHash: string;
  tokenExpires: number;
  readonly masterHash: string;
  readonly masterExpires: number;
}

export type TokenLookup = { login: SfLogin } | { expired: SfLogin } | null;

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = (kind: 'st' | 'mt'): string => `ver:1-hint:${kind}-${randomBytes(32).toString('base64url')}`;

/**
 * Session tokens (short-lived, renewed with the master token as Snowflake's drivers do) and master
 * tokens (the login's lifetime). Held in memory as hashes only: a restart signs every driver out,
 * as the engine sessions they drive are in memory too.
 */
export class SfTokens {
  readonly #bySession = new Map<string, Entry>();
  readonly #byMaster = new Map<string, Entry>();
  readonly #byLogin = new Map<number, Entry>();
  #nextId = 1;

  constructor(
    readonly sessionSeconds: number,
    readonly masterSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#byMaster.size;
  }

  issue(sessionId: string, user: string): { login: SfLogin; tokens: IssuedTokens } {
    const login: SfLogin = { id: this.#nextId++, sessionId, user };
    const token = newToken('st');
    const masterToken = newToken('mt');
    const entry: Entry = {
      login,
      tokenHash: digest(token),
      tokenExpires: this.now() + this.sessionSeconds * 1000,
      masterHash: digest(masterToken),
      masterExpires: this.now() + this.masterSeconds * 1000,
    };
    this.#bySession.set(entry.tokenHash, entry);
    this.#byMaster.set(entry.masterHash, entry);
    this.#byLogin.set(login.id, entry);
    return { login, tokens: { token, masterToken, validityInSeconds: this.sessionSeconds, masterValidityInSeconds: this.masterSeconds } };
  }

  /** The login a session token belongs to; `expired` once past its validity (the driver then renews it). */
  session(token: string): TokenLookup {
    const entry = this.#bySession.get(digest(token));
    if (!entry) return null;
    if (this.now() >= entry.masterExpires) return { expired: entry.login };
    return this.now() >= entry.tokenExpires ? { expired: entry.login } : { login: entry.login };
  }

  /**
   * A new session token for the master token's login (the old one stops working); null when the
   * master token is unknown, 'expired' past its validity or when `oldSessionToken` is not the login's.
   */
  renew(masterToken: string, oldSessionToken: string | undefined): { login: SfLogin; tokens: IssuedTokens } | 'expired' | null {
    const entry = this.#byMaster.get(digest(masterToken));
    if (!entry) return null;
    if (this.now() >= entry.masterExpires) return 'expired';
    if (oldSessionToken !== undefined && digest(oldSessionToken) !== entry.tokenHash) return null;
    const token = newToken('st');
    this.#bySession.delete(entry.tokenHash);
    entry.tokenHash = digest(token);
    entry.tokenExpires = this.now() + this.sessionSeconds * 1000;
    this.#bySession.set(entry.tokenHash, entry);
    const masterValidityInSeconds = Math.max(0, Math.floor((entry.masterExpires - this.now()) / 1000));
    return { login: entry.login, tokens: { token, masterToken, validityInSeconds: this.sessionSeconds, masterValidityInSeconds } };
  }

  /** Forgets a login and both its tokens (`session?delete=true`, or its engine session is gone). */
  end(login: SfLogin): void {
    const entry = this.#byLogin.get(login.id);
    if (entry) this.#forget(entry);
  }

  /** Drops logins whose master token expired and returns them, so their engine sessions are ended. */
  sweep(): SfLogin[] {
    const now = this.now();
    const gone = [...this.#byLogin.values()].filter((e) => now >= e.masterExpires);
    for (const entry of gone) this.#forget(entry);
    return gone.map((e) => e.login);
  }

  #forget(entry: Entry): void {
    this.#byLogin.delete(entry.login.id);
    this.#byMaster.delete(entry.masterHash);
    this.#bySession.delete(entry.tokenHash);
  }
}
