import { randomUUID } from 'node:crypto';
import type { ResultColumnType } from './session.js';

/** A statement's result as RESULT_SCAN reads it back. */
export interface KeptResult {
  readonly columns: readonly ResultColumnType[];
  readonly rows: readonly (readonly unknown[])[];
}

export interface ResultLimits {
  /** Cells (rows × columns) kept across all sessions; the oldest results are dropped beyond it. */
  readonly totalCells: number;
  /** Rows of one result; a larger result keeps its id but cannot be scanned. */
  readonly rowsPerResult: number;
}

export const DEFAULT_RESULT_LIMITS: ResultLimits = { totalCells: 2_000_000, rowsPerResult: 10_000 };

interface Entry {
  readonly owner: string;
  readonly result: KeptResult | null;
  readonly rows: number;
  readonly cells: number;
}

/**
 * Recent statement results of every session, in memory, for RESULT_SCAN. Memory is bounded: at
 * most `totalCells` cells are kept (oldest dropped first) and a result over `rowsPerResult` rows is
 * not kept at all, so scanning it fails naming the limit. Results are lost when the process ends.
 */
export class ResultCache {
  readonly #entries = new Map<string, Entry>();
  #cells = 0;

  constructor(readonly limits: ResultLimits = DEFAULT_RESULT_LIMITS) {}

  put(id: string, owner: string, result: KeptResult): void {
    const rows = result.rows.length;
    const keep = rows <= this.limits.rowsPerResult;
    const cells = keep ? rows * Math.max(1, result.columns.length) : 0;
    this.#entries.set(id, { owner, result: keep ? result : null, rows, cells });
    this.#cells += cells;
    for (const [old, e] of this.#entries) {
      if (this.#cells <= this.limits.totalCells) break;
      this.#entries.delete(old);
      this.#cells -= e.cells;
    }
  }

  /** The result of query `id` run by `owner`; undefined when unknown (or another user's). */
  get(id: string, owner: string): { result: KeptResult | null; rows: number } | undefined {
    const e = this.#entries.get(id);
    return e && e.owner === owner ? { result: e.result, rows: e.rows } : undefined;
  }
}

/** How many of its query ids a session remembers (LAST_QUERY_ID(-n) / (n) beyond them is NULL). */
const IDS_KEPT = 100;

/** One session's query ids, in order, and its view of the shared result cache. */
export class QueryHistory {
  readonly #ids: string[] = [];
  #count = 0;

  constructor(
    private readonly cache: ResultCache,
    /** Results are readable by the user who ran them (Snowflake: the same user, in any session). */
    readonly owner: string,
  ) {}

  /** Records a finished statement and returns its new query id. */
  record(result: KeptResult): string {
    const id = randomUUID();
    this.#ids.push(id);
    this.#count++;
    if (this.#ids.length > IDS_KEPT) this.#ids.shift();
    this.cache.put(id, this.owner, result);
    return id;
  }

  /**
   * LAST_QUERY_ID(n): n < 0 counts back from the most recent statement (-1 is the last), n > 0
   * counts from the session's first statement (1 is the first). Null when there is no such one.
   */
  lastQueryId(n = -1): string | null {
    const first = this.#count - this.#ids.length + 1;
    const position = n < 0 ? this.#count + n + 1 : n;
    if (n === 0 || position < first || position > this.#count) return null;
    return this.#ids[position - first];
  }

  result(id: string): { result: KeptResult | null; rows: number } | undefined {
    return this.cache.get(id, this.owner);
  }

  get rowsPerResult(): number {
    return this.cache.limits.rowsPerResult;
  }
}
