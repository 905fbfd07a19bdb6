import { randomUUID } from 'node:crypto';
import type { ResultColumnType } from './session.js';

/** A statement's result as RESULT_SCAN reads it back. */
export interface KeptResult {
  readonly columns: readonly ResultColumnType[];
  readonly rows: readonly (readonly unknown[])[];
}

export interface ResultLimits {
  /**
   * Bytes of results kept across all sessions (as estimated by `resultBytes`); the oldest results are
   * dropped beyond it. A budget in bytes, not cells: 10,000 rows of 1 KB strings are 20 MB of heap.
   */
  readonly totalBytes: number;
  /** Rows of one result; a larger result keeps its id but cannot be scanned. */
  readonly rowsPerResult: number;
}

export const DEFAULT_RESULT_LIMITS: ResultLimits = { totalBytes: 64 * 1024 * 1024, rowsPerResult: 10_000 };

interface Entry {
  readonly owner: string;
  readonly result: KeptResult | null;
  readonly rows: number;
  readonly bytes: number;
}

/**
 * What every kept entry costs besides its cells (its id, the entry, the row arrays): without it, a
 * stream of small results (thousands of INSERTs each answering one count) would be kept without bound.
 */
export const ENTRY_BYTES = 256;

/** A result's heap size, roughly: 16 bytes a cell, plus two a character of its strings (V8 keeps many as UTF-16). */
export function resultBytes(result: KeptResult): number {
  let bytes = ENTRY_BYTES;
  for (const row of result.rows) for (const v of row) bytes += typeof v === 'string' ? 16 + 2 * v.length : 16;
  return bytes;
}

/**
 * Recent statement results of every session, in memory, for RESULT_SCAN. Memory is bounded: at
 * most `totalBytes` of results are kept (oldest dropped first) and a result over `rowsPerResult` rows
 * (or over the whole budget) is not kept at all, so scanning it fails naming the limit. Results are
 * lost when the process ends.
 */
export class ResultCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(readonly limits: ResultLimits = DEFAULT_RESULT_LIMITS) {}

  put(id: string, owner: string, result: KeptResult): void {
    const rows = result.rows.length;
    const size = rows <= this.limits.rowsPerResult ? resultBytes(result) : Number.POSITIVE_INFINITY;
    const keep = size <= this.limits.totalBytes;
    const bytes = keep ? size : ENTRY_BYTES;
    // Only columns and rows: the statement result also carries its text, a slice that keeps the
    // request's whole SQL (megabytes for a script) alive for as long as the entry lives.
    this.#entries.set(id, { owner, result: keep ? { columns: result.columns, rows: result.rows } : null, rows, bytes });
    this.#bytes += bytes;
    for (const [old, e] of this.#entries) {
      if (this.#bytes <= this.limits.totalBytes) break;
      this.#entries.delete(old);
      this.#bytes -= e.bytes;
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
