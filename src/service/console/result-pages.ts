import { randomUUID } from 'node:crypto';
import { notFound } from '../../core/errors.js';
import type { StatementResult } from '../../engine/index.js';
import type { ConsoleSession } from './console-sessions.js';

/** Rows sent with a statement's answer; the rest are fetched a page at a time as the grid scrolls to them. */
export const FIRST_PAGE_ROWS = 500;
/** The largest page a request may ask for. */
export const MAX_PAGE_ROWS = 10_000;
/** Large results kept per sign-in: the one shown, and the one before it while a new one loads. */
const KEPT_PER_SIGN_IN = 2;

/** A result the browser pages through: the id to ask for its rows by, and how many rows came with the answer. */
export type PagedResult = StatementResult & { readonly resultId?: string };

/**
 * Large query results kept in memory for the sign-in that ran them, so the console sends a first page
 * and the grid fetches the rest as it scrolls (a 100k-row result is not one 10 MB answer). Held by the
 * sign-in object: a result is gone when its sign-in ends, and only its sign-in can read it.
 */
export class ResultPages {
  private readonly kept = new WeakMap<ConsoleSession, Map<string, readonly unknown[][]>>();

  /** The results as sent: each query with more than FIRST_PAGE_ROWS rows is cut to its first page and kept under an id. */
  page(session: ConsoleSession, results: readonly StatementResult[]): PagedResult[] {
    return results.map((r) => {
      if (r.kind !== 'query' || r.rows.length <= FIRST_PAGE_ROWS) return r;
      let mine = this.kept.get(session);
      if (!mine) this.kept.set(session, (mine = new Map()));
      const id = randomUUID();
      mine.set(id, r.rows);
      for (const old of mine.keys()) if (mine.size > KEPT_PER_SIGN_IN) mine.delete(old);
      return { ...r, rows: r.rows.slice(0, FIRST_PAGE_ROWS), resultId: id };
    });
  }

  /** Rows [offset, offset + limit) of a kept result of this sign-in. */
  rows(session: ConsoleSession, id: string, offset: number, limit: number): { offset: number; rows: unknown[][]; rowCount: number } {
    const rows = this.kept.get(session)?.get(id);
    if (!rows) throw notFound(`no kept result ${id.slice(0, 40)}: run the statement again`, { result: id });
    const n = Math.max(0, Math.min(limit, MAX_PAGE_ROWS));
    return { offset, rows: rows.slice(offset, offset + n), rowCount: rows.length };
  }
}
