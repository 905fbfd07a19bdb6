import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../../auth/index.js';

/** One signed-in browser: who it acts as, its engine session and the token its state-changing requests must echo. */
export interface ConsoleSession {
  readonly caller: Caller;
  readonly csrfToken: string;
  /** The engine session its worksheets run in; replaced when the session store dropped it. */
  engineSessionId: string | null;
  readonly expiresAt: number;
}

export const SESSION_COOKIE = 'recpipe_console';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * The console's sign-ins, in memory (engine sessions do not survive a restart either). Only the SHA-256 of
 * a cookie's token is kept, so a heap dump or a log of this map cannot be replayed as a cookie. A sign-in
 * lasts `lifetimeMs` from its start, then the browser signs in again.
 */
export class ConsoleSessions {
  readonly #byHash = new Map<string, ConsoleSession>();

  constructor(
    readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new sign-in: the cookie's token (given to the browser once, never stored) and the session. */
  open(caller: Caller): { token: string; session: ConsoleSession } {
    this.#sweep();
    const token = randomBytes(32).toString('base64url');
    const session: ConsoleSession = {
      caller,
      csrfToken: randomBytes(32).toString('base64url'),
      engineSessionId: null,
      expiresAt: this.now() + this.lifetimeMs,
    };
    this.#byHash.set(sha256(token), session);
    return { token, session };
  }

  /** The live session a cookie's token names, or null (unknown, signed out or expired). */
  find(token: string): ConsoleSession | null {
    const hash = sha256(token);
    const session = this.#byHash.get(hash);
    if (session === undefined) return null;
    if (session.expiresAt <= this.now()) {
      this.#byHash.delete(hash);
      return null;
    }
    return session;
  }

  /** Ends a sign-in; the session it held, so the caller can end its engine session. */
  close(token: string): ConsoleSession | null {
    const hash = sha256(token);
    const session = this.#byHash.get(hash) ?? null;
    this.#byHash.delete(hash);
    return session;
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

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
