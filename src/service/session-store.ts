import { RecpipeError, notFound } from '../core/errors.js';
import type { Session } from '../engine/index.js';

interface Entry {
  session: Session;
  /** The credential (its public prefix) that opened the session: only it may use the session. */
  owner: string;
  /** The end of this session's statement queue: a session runs one request at a time, as in Snowflake. */
  tail: Promise<unknown>;
  running: number;
}

/**
 * The server's sessions, in memory. Least recently used sessions are dropped past `capacity`, and
 * each credential keeps at most `perCaller` sessions (its least recently used idle one makes room),
 * so clients that never pass a session back (each request makes one) cannot grow the server without
 * bound, nor one key crowd out the others.
 */
export class SessionStore {
  readonly #entries = new Map<string, Entry>();

  /** `onDrop` hears of each session evicted, so what it holds (an open transaction's connection) is freed. */
  constructor(
    readonly capacity = 10_000,
    readonly perCaller = 200,
    private readonly onDrop: (session: Session) => void = () => undefined,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  add(session: Session, owner = 'owner'): Session {
    this.#makeRoomFor(owner);
    this.#entries.set(session.id, { session, owner, tail: Promise.resolve(), running: 0 });
    this.#evict();
    return session;
  }

  get(id: string, owner = 'owner'): Session {
    return this.#entry(id, owner).session;
  }

  /** Runs `work` after every earlier request on the same session has finished. */
  run<T>(id: string, work: (session: Session) => Promise<T>, owner = 'owner'): Promise<T> {
    const entry = this.#entry(id, owner);
    entry.running++;
    const result = entry.tail.then(() => work(entry.session)).finally(() => entry.running--);
    // Settles with nothing: the tail outlives the request, and its result (rows, the SQL text) must not.
    entry.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Forgets a session (a client signed out); the caller ends it. Undefined when it is not there or not the owner's. */
  remove(id: string, owner = 'owner'): Session | undefined {
    const entry = this.#entries.get(id);
    if (!entry || entry.owner !== owner) return undefined;
    this.#entries.delete(id);
    return entry.session;
  }

  /** Forgets every session `ended` picks (its credential was revoked) and returns them; the caller ends them. */
  removeWhere(ended: (owner: string, session: Session) => boolean): Session[] {
    const gone: Session[] = [];
    for (const [id, e] of this.#entries) {
      if (!ended(e.owner, e.session)) continue;
      this.#entries.delete(id);
      gone.push(e.session);
    }
    return gone;
  }

  #entry(id: string, owner: string): Entry {
    const entry = this.#entries.get(id);
    // Another caller's session is reported exactly like a missing one: ids are not a way to probe.
    if (!entry || entry.owner !== owner) {
      throw notFound(`session '${id}' not found (sessions live in the memory of the server that created them; it may have restarted)`, {
        sessionId: id,
      });
    }
    // Re-insert so Map order is least-recently-used first.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry;
  }

  #makeRoomFor(owner: string): void {
    let count = 0;
    let idle: string | undefined;
    for (const [id, e] of this.#entries) {
      if (e.owner !== owner) continue;
      count++;
      if (idle === undefined && e.running === 0) idle = id;
    }
    if (count < this.perCaller) return;
    if (idle === undefined) {
      throw new RecpipeError(
        'RESOURCE_EXHAUSTED',
        `this key already has ${count} open sessions, all running statements (limit ${this.perCaller}); pass a sessionId back or retry later`,
      );
    }
    const dropped = this.#entries.get(idle);
    this.#entries.delete(idle);
    if (dropped) this.onDrop(dropped.session);
  }

  #evict(): void {
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= this.capacity) return;
      const dropped = this.#entries.get(id);
      this.#entries.delete(id);
      if (dropped) this.onDrop(dropped.session);
    }
  }
}
