import { BoundedMap } from '../../util/bounded-map.js';

/** A session field a computation read, and its value then. */
type Read = readonly [field: string | symbol, value: unknown];

interface Entry<T> {
  readonly value: T;
  readonly reads: readonly Read[];
}

/** Statements longer than this (bulk INSERT … VALUES) are worked out each time: they rarely repeat and would fill the memory. */
const MAX_KEY = 8_192;
/** Sessions differing in what a statement read (its schema, its role …) each keep their own entry, up to this many. */
const ENTRIES_PER_KEY = 8;

/**
 * Results of a pure function of a statement and the session fields it reads (the database and schema
 * names resolve in, CURRENT_ROLE() …), kept by statement key with the fields read and their values:
 * an entry serves again only while the session holds the same values, so `USE SCHEMA`, `USE ROLE` or
 * `ALTER SESSION` that would change the result changes the lookup instead. A result that read an
 * object of the session (its query history, its variables: RESULT_SCAN, LAST_QUERY_ID, `$x`) is not
 * kept, as those change from one statement to the next. Errors are not kept either.
 */
export class SessionKeyedCache<S extends object, T> {
  readonly #entries: BoundedMap<string, Entry<T>[]>;

  constructor(capacity: number) {
    this.#entries = new BoundedMap(capacity);
  }

  /** `make(session)`'s result for `key`, from the cache when an entry read the same session values. */
  get(key: string, session: S, make: (session: S) => T): T {
    const entries = this.#entries.get(key);
    if (entries !== undefined) {
      const fields = session as Record<string | symbol, unknown>;
      for (const e of entries) if (e.reads.every(([field, value]) => fields[field] === value)) return e.value;
    }
    const reads = new Map<string | symbol, unknown>();
    let keepable = key.length <= MAX_KEY;
    const recording = new Proxy(session, {
      get(target, field) {
        const value = Reflect.get(target, field) as unknown;
        if (value !== null && (typeof value === 'object' || typeof value === 'function')) keepable = false;
        else reads.set(field, value);
        return value;
      },
    });
    const value = make(recording);
    if (keepable) {
      const kept = entries ?? [];
      if (kept.length >= ENTRIES_PER_KEY) kept.shift();
      kept.push({ value, reads: [...reads] });
      if (entries === undefined) this.#entries.set(key, kept);
    }
    return value;
  }
}
