import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../../auth/index.js';
import { join } from 'node:path';
import { LoginFile } from '../../util/login-file.js';

/** One signed-in browser: who it acts as, its engine session and the token its state-changing requests must echo. */
export interface ConsoleSession {
  readonly caller: Caller;
  readonly csrfToken: string;
  /** The engine session its worksheets run in; replaced when the session store dropped it (or the server restarted). */
  engineSessionId: string | null;
  readonly expiresAt: number;
}

/** What the login file keeps of a sign-in: the cookie token's hash, who it is and when it ends. */
interface SavedSignIn {
  readonly hash: string;
  readonly caller: Caller;
  readonly expires: number;
}

export const SESSION_COOKIE = 'recpipe_console';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
/** The CSRF token is derived from the cookie's token, so it needs no storage and survives a restart with it. */
const csrfOf = (token: string): string => createHmac('sha256', token).update('recpipe console csrf').digest('base64url');

/**
 * The console's sign-ins. Only the SHA-256 of a cookie's token is kept (in memory and in the login
 * file), so a heap dump, a log or a copy of the file cannot be replayed as a cookie. A sign-in lasts
 * `lifetimeMs` from its start, across server restarts (its engine session is opened anew), then the
 * browser signs in again.
 */
export class ConsoleSessions {
  readonly #byHash = new Map<string, ConsoleSession>();

  constructor(
    readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
    private readonly file: LoginFile<SavedSignIn> = new LoginFile(null),
  ) {
    for (const saved of file.load(now()))
      this.#byHash.set(saved.hash, { caller: saved.caller, csrfToken: '', engineSessionId: null, expiresAt: saved.expires });
  }

  /** A new sign-in: the cookie's token (given to the browser once, never stored) and the session. */
  open(caller: Caller): { token: string; session: ConsoleSession } {
    this.#sweep();
    const token = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { caller, csrfToken: csrfOf(token), engineSessionId: null, expiresAt: this.now() + this.lifetimeMs };
    this.#byHash.set(sha256(token), session);
    this.#save();
    return { token, session };
  }

  /** The live session a cookie's token names, or null (unknown, signed out or expired). */
  find(token: string): ConsoleSession | null {
    const hash = sha256(token);
    let session = this.#byHash.get(hash);
    if (session === undefined) return null;
    if (session.expiresAt <= this.now()) {
      this.#byHash.delete(hash);
      this.#save();
      return null;
    }
    if (session.csrfToken === '') {
      // Loaded from the login file: its CSRF token comes back from the cookie's.
      session = { ...session, csrfToken: csrfOf(token) };
      this.#byHash.set(hash, session);
    }
    return session;
  }

  /** Ends a sign-in; the session it held, so the caller can end its engine session. */
  close(token: string): ConsoleSession | null {
    const hash = sha256(token);
    const session = this.#byHash.get(hash) ?? null;
    this.#byHash.delete(hash);
    this.#save();
    return session;
  }

  /** Ends every sign-in `ended` picks (its credential was revoked), on disk too; returns them so their engine sessions end. */
  closeWhere(ended: (session: ConsoleSession) => boolean): ConsoleSession[] {
    const gone: ConsoleSession[] = [];
    for (const [hash, s] of this.#byHash) {
      if (!ended(s)) continue;
      this.#byHash.delete(hash);
      gone.push(s);
    }
    if (gone.length > 0) this.#save();
    return gone;
  }

  /** Resolves once the login file holds every sign-in and sign-out so far. */
  saved(): Promise<void> {
    return this.file.flushed();
  }

  #save(): void {
    void this.file.save(() => [...this.#byHash].map(([hash, s]) => ({ hash, caller: s.caller, expires: s.expiresAt })));
  }

  /** Whether a request's CSRF header matches its session's token (constant time). */
  static csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
    if (presented === undefined) return false;
    const a = Buffer.from(sha256(presented));
    const b = Buffer.from(sha256(session.csrfToken));
    return timingSafeEqual(a, b);
  }

  #sweep(): void {
    const now = this.now();
    for (const [hash, s] of this.#byHash) if (s.expiresAt <= now) this.#byHash.delete(hash);
  }
}

/** The console's login file in a home. */
export function consoleLoginFile(home: string): LoginFile<SavedSignIn> {
  return new LoginFile(join(home, 'console-sign-ins.json'));
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
