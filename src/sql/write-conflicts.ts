import { setTimeout as sleep } from 'node:timers/promises';

/** DuckDB's optimistic concurrency failures: another transaction wrote the same catalog entry or rows first. */
const CONFLICT = /write-write conflict|Transaction conflict|Conflict on tuple/i;

export const isWriteConflict = (e: unknown): boolean => CONFLICT.test(e instanceof Error ? e.message : String(e));

/** Retried writes of one warehouse, one at a time (a promise chain), so they stop colliding with each other. */
const retryQueues = new WeakMap<object, Promise<unknown>>();

const ATTEMPTS = 50;

/**
 * Runs a statement that commits on its own; when DuckDB refuses it because a concurrent writer
 * changed the same table first (which Snowflake would have queued behind that writer's lock), it
 * runs again. Retries of one warehouse wait for each other, so concurrent writers of one table
 * are serialized rather than failing; the failed attempt was rolled back by DuckDB, so a retry
 * never applies a change twice. Only for statements outside an open transaction.
 */
export async function retryingConflicts<T>(warehouse: object, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isWriteConflict(e)) throw e;
  }
  const prior = retryQueues.get(warehouse) ?? Promise.resolve();
  const mine = prior.then(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (e) {
        if (!isWriteConflict(e) || attempt >= ATTEMPTS) throw e;
        await sleep(Math.min(50, attempt * 2) * (0.5 + Math.random()));
      }
    }
  });
  // The queue's tail settles with nothing: holding the last write's result would keep its request alive.
  retryQueues.set(warehouse, mine.then(nothing, nothing));
  return mine;
}

/** Statements that write (data or catalog) when they run outside an open transaction. */
const WRITES = new Set([
  'CREATE',
  'DROP',
  'ALTER',
  'UNDROP',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'TRUNCATE',
  'COPY',
  'GRANT',
  'REVOKE',
  'COMMENT',
]);

/**
 * Runs autocommit writes of one executor one at a time, as Snowflake's table locks queue writers:
 * DuckDB's optimistic concurrency would otherwise fail the later of two writers of one table (or of
 * recpipe's catalog rows, such as ownership) with a write-write conflict. Reads never wait.
 */
export class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();

  static writes(verb: string, inTransaction: boolean): boolean {
    return !inTransaction && WRITES.has(verb) && verb !== '';
  }

  /**
   * Runs `fn` after the writes queued before it (when `serial`; at once otherwise). A write waits at
   * most `maxWaitMs` for its turn and then runs anyway (a retried conflict at worst), so a write
   * whose external function calls back into this server to write cannot wait forever.
   */
  run<T>(serial: boolean, fn: () => Promise<T>, maxWaitMs = 30_000): Promise<T> {
    if (!serial) return fn();
    const turn = this.#tail;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs).unref();
    });
    // The timer goes as soon as the turn comes, or every write would leave a 30 s timer behind.
    const result = Promise.race([turn, waited])
      .finally(() => clearTimeout(timer))
      .then(fn);
    // The tail waits for both and settles with nothing: a tail holding results would chain every
    // write's result (and through it its request's SQL text) for the life of the executor.
    this.#tail = Promise.allSettled([turn, result]).then(nothing);
    return result;
  }
}

const nothing = (): undefined => undefined;
