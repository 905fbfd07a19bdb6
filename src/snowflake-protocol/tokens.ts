import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LoginFile } from '../util/login-file.js';

/** Where a login's session stands (role, database, schema, warehouse): a session reopened after a restart starts there. */
export interface SfContext {
  readonly role: string | null;
  readonly database: string | null;
  readonly schema: string | null;
  readonly warehouse: string | null;
}

/** A signed-in Snowflake-protocol session: the engine session it drives and who signed in. */
export interface SfLogin {
  /** Snowflake's numeric session id, as drivers report it. */
  readonly id: number;
  /** The engine session (in the service's session store) the protocol session drives; a new one after a restart. */
  sessionId: string;
  readonly user: string;
  /** The fingerprint of the RSA public key a key-pair (JWT) login proved; absent for a password login. Unsetting the key ends the login. */
  readonly keyFingerprint?: string;
  context: SfContext;
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

/** An entry as the login file keeps it (hashes only; `expires` is the master token's). */
interface SavedEntry extends Omit<Entry, 'masterExpires'> {
  readonly expires: number;
}

export type TokenLookup = { login: SfLogin } | { expired: SfLogin } | null;

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = (kind: 'st' | 'mt'): string => `ver:1-hint:${kind}-${randomBytes(32).toString('base64url')}`;

/**
 * Session tokens (short-lived, renewed with the master token as Snowflake's drivers do) and master
 * tokens (the login's lifetime). Held as hashes only, in memory and in the login file, so a driver
 * stays signed in across a server restart (its engine session is reopened in the login's context)
 * until its tokens expire.
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
    private readonly file: LoginFile<SavedEntry> = new LoginFile(null),
  ) {
    for (const { expires, ...saved } of file.load(now())) {
      const entry: Entry = { ...saved, login: { ...saved.login }, masterExpires: expires };
      this.#index(entry);
      this.#nextId = Math.max(this.#nextId, entry.login.id + 1);
    }
  }

  #index(entry: Entry): void {
    this.#bySession.set(entry.tokenHash, entry);
    this.#byMaster.set(entry.masterHash, entry);
    this.#byLogin.set(entry.login.id, entry);
  }

  /** Resolves once the login file holds every change so far. */
  saved(): Promise<void> {
    return this.file.flushed();
  }

  #save(): void {
    void this.file.save(() => [...this.#byLogin.values()].map(({ masterExpires, ...e }) => ({ ...e, expires: masterExpires })));
  }

  /** A login's engine session was reopened (after a restart) or its context changed: kept for the next restart. */
  update(login: SfLogin, sessionId: string, context: SfContext): void {
    const same = (a: SfContext, b: SfContext) =>
      a.role === b.role && a.database === b.database && a.schema === b.schema && a.warehouse === b.warehouse;
    if (login.sessionId === sessionId && same(login.context, context)) return;
    login.sessionId = sessionId;
    login.context = context;
    if (this.#byLogin.has(login.id)) this.#save();
  }

  /** A login by its id while its master token is valid (a stage credential names its login so). */
  login(id: number): SfLogin | null {
    const entry = this.#byLogin.get(id);
    return entry !== undefined && this.now() < entry.masterExpires ? entry.login : null;
  }

  get size(): number {
    return this.#byMaster.size;
  }

  issue(sessionId: string, user: string, context: SfContext, keyFingerprint?: string): { login: SfLogin; tokens: IssuedTokens } {
    const login: SfLogin = { id: this.#nextId++, sessionId, user, context, ...(keyFingerprint === undefined ? {} : { keyFingerprint }) };
    const token = newToken('st');
    const masterToken = newToken('mt');
    const entry: Entry = {
      login,
      tokenHash: digest(token),
      tokenExpires: this.now() + this.sessionSeconds * 1000,
      masterHash: digest(masterToken),
      masterExpires: this.now() + this.masterSeconds * 1000,
    };
    this.#index(entry);
    this.#save();
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
    this.#save();
    const masterValidityInSeconds = Math.max(0, Math.floor((entry.masterExpires - this.now()) / 1000));
    return { login: entry.login, tokens: { token, masterToken, validityInSeconds: this.sessionSeconds, masterValidityInSeconds } };
  }

  /** Forgets a login and both its tokens (`session?delete=true`, or its engine session is gone). */
  end(login: SfLogin): void {
    const entry = this.#byLogin.get(login.id);
    if (entry) this.#forget(entry);
    if (entry) this.#save();
  }

  /** Ends every login `ended` picks (its credential was revoked), on disk too; returns them so their engine sessions end. */
  endWhere(ended: (login: SfLogin) => boolean): SfLogin[] {
    const gone = [...this.#byLogin.values()].filter((e) => ended(e.login));
    for (const entry of gone) this.#forget(entry);
    if (gone.length > 0) this.#save();
    return gone.map((e) => e.login);
  }

  /** Drops logins whose master token expired and returns them, so their engine sessions are ended. */
  sweep(): SfLogin[] {
    const now = this.now();
    const gone = [...this.#byLogin.values()].filter((e) => now >= e.masterExpires);
    for (const entry of gone) this.#forget(entry);
    if (gone.length > 0) this.#save();
    return gone.map((e) => e.login);
  }

  #forget(entry: Entry): void {
    this.#byLogin.delete(entry.login.id);
    this.#byMaster.delete(entry.masterHash);
    this.#bySession.delete(entry.tokenHash);
  }
}

/** The Snowflake protocol's login file in a home. */
export function snowflakeLoginFile(home: string): LoginFile<SavedEntry> {
  return new LoginFile(join(home, 'snowflake-sign-ins.json'));
}
