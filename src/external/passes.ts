import type { WarehouseConnection } from '../warehouse/index.js';

/** Statements that evaluate expressions, by first word: those naming an external function run in passes from the start. */
export const EVALUATED = new Set(['SELECT', 'WITH', 'VALUES', '(', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE']);

/** Statements that only read, so a pass may run inside the caller's transaction. */
export const QUERIES = new Set(['SELECT', 'WITH', 'VALUES', '(']);

/** Nested calls (f(g(x))) need one pass per level; a statement still missing answers after this many is not converging. */
export const MAX_PASSES = 8;

export type PassOutcome<T> = { readonly done: true; readonly result: T } | { readonly done: false };

/**
 * Runs one pass of a statement in its own transaction (or the caller's, for a query inside one),
 * committed only when no call was missing an answer. A pass that fails while answers were missing
 * may have failed on a placeholder NULL, so it is retried once they are fetched.
 */
export async function onePass<T>(
  conn: WarehouseConnection,
  inTransaction: boolean,
  run: () => Promise<T>,
  missing: () => boolean,
): Promise<PassOutcome<T>> {
  if (!inTransaction) await conn.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await run();
  } catch (e) {
    if (!inTransaction) await conn.run('ROLLBACK');
    if (missing() && !inTransaction) return { done: false };
    throw e;
  }
  if (missing()) {
    if (!inTransaction) await conn.run('ROLLBACK');
    return { done: false };
  }
  if (!inTransaction) await conn.run('COMMIT');
  return { done: true, result };
}
