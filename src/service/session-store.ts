import { notFound } from '../core/errors.js';
import type { Session } from '../engine/index.js';

interface Entry {
  session: Session;
  /** The end of this session's statement queue: a session runs one request at a time, as in Snowflake. */
  tail: Promise<unknown>;
}

/**
 * The server's sessions, in memory. Least recently used sessions are dropped past `capacity`, so
 * clients that never pass a session back (each request makes one) cannot grow the server without bound.
 */
export class SessionStore {
  readonly #entries = new Map<string, Entry>();

  /** `onDrop` hears of each session evicted, so what it holds (an open transaction's connection) is freed. */
  constructor(
    readonly capacity = 10_000,
    private readonly onDrop: (session: Session) => void = () => undefined,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  add(session: Session): Session {
    this.#entries.set(session.id, { session, tail: Promise.resolve() });
    this.#evict();
    return session;
  }

  get(id: string): Session {
    return this.#entry(id).session;
  }

  /** Runs `work` after every earlier request on the same session has finished. */
  run<T>(id: string, work: (session: Session) => Promise<T>): Promise<T> {
    const entry = this.#entry(id);
    const result = entry.tail.then(() => work(entry.session));
    entry.tail = result.catch(() => undefined);
    return result;
  }

  #entry(id: string): Entry {
    const entry = this.#entries.get(id);
    if (!entry) {
      throw notFound(`session '${id}' not found (sessions live in the memory of the server that created them; it may have restarted)`, { sessionId: id });
    }
    // Re-insert so Map order is least-recently-used first.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry;
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
