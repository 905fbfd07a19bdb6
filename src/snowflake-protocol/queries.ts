import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { StatementResult } from '../engine/index.js';
import type { SfError } from './errors.js';

export type QueryStatus = 'RUNNING' | 'SUCCESS' | 'FAILED_WITH_ERROR' | 'ABORTED';

/** A query-request's life: its status, its result or error, kept for the driver to fetch (sync, async, chunks). */
export interface QueryRecord {
  readonly id: string;
  readonly requestId: string | null;
  /** The user who ran it: only that user may see its status or result, as in Snowflake. */
  readonly user: string;
  readonly sqlText: string;
  readonly startTime: number;
  status: QueryStatus;
  endTime: number | null;
  result: StatementResult | null;
  /** Every statement's result of a multi-statement request, each under its own query id. */
  children: string[];
  error: SfError | null;
  /** Settles when the query has finished, whatever its outcome. */
  readonly done: Promise<void>;
  /** Aborted by abort-request: the statement running in the engine is interrupted. */
  readonly cancel: AbortController;
  finish(): void;
}

/**
 * The queries of one server, in memory, with their results until they are evicted (oldest finished
 * first past `capacity` queries or `rowBudget` result rows), so async queries, result re-fetches and
 * chunk downloads find them.
 */
export class QueryRegistry {
  readonly #records = new Map<string, QueryRecord>();
  readonly #byRequest = new Map<string, string>();
  readonly #key = randomBytes(32);
  /** The result rows each finished record holds, counted once when it finishes, and their sum. */
  readonly #rowsOf = new WeakMap<QueryRecord, number>();
  #rows = 0;

  constructor(
    readonly capacity = 256,
    readonly rowBudget = 5_000_000,
  ) {}

  start(user: string, sqlText: string, requestId: string | null): QueryRecord {
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const record: QueryRecord = {
      id: randomUUID(),
      requestId,
      user,
      sqlText,
      startTime: Date.now(),
      status: 'RUNNING',
      endTime: null,
      result: null,
      children: [],
      error: null,
      done,
      cancel: new AbortController(),
      finish: () => {
        record.endTime ??= Date.now();
        this.#count(record);
        finish();
      },
    };
    this.add(record);
    if (requestId !== null) this.#byRequest.set(requestId, record.id);
    return record;
  }

  /** A finished statement of a multi-statement request, fetched by its own id. */
  child(parent: QueryRecord, result: StatementResult): QueryRecord {
    const record = this.start(parent.user, result.statement, null);
    record.status = 'SUCCESS';
    record.result = result;
    record.finish();
    parent.children.push(record.id);
    return record;
  }

  get(id: string, user: string): QueryRecord | null {
    const r = this.#records.get(id);
    return r !== undefined && r.user === user ? r : null;
  }

  byRequest(requestId: string, user: string): QueryRecord | null {
    const id = this.#byRequest.get(requestId);
    return id === undefined ? null : this.get(id, user);
  }

  /** Aborts every running query (the server is closing: a statement running in DuckDB must not hold the shutdown). */
  abortRunning(): void {
    for (const r of this.#records.values()) if (r.status === 'RUNNING') this.abort(r);
  }

  /** Marks a running query aborted and interrupts its statement: one still queued never runs, a running one stops. */
  abort(record: QueryRecord): void {
    record.status = 'ABORTED';
    record.cancel.abort();
    record.finish();
  }

  /** The signature that lets a chunk URL be fetched without a session token (as a presigned storage URL is). */
  sign(id: string, chunk: number, expires: number): string {
    return createHmac('sha256', this.#key).update(`${id}/${chunk}/${expires}`).digest('base64url');
  }

  verify(id: string, chunk: number, expires: number, signature: string): boolean {
    if (!(expires > Date.now())) return false;
    const expected = Buffer.from(this.sign(id, chunk, expires));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The record for a signed chunk request, whoever asks. */
  signedRecord(id: string): QueryRecord | null {
    return this.#records.get(id) ?? null;
  }

  private add(record: QueryRecord): void {
    this.#records.set(record.id, record);
    this.evict();
  }

  #count(record: QueryRecord): void {
    if (this.#rowsOf.has(record) || !this.#records.has(record.id)) return;
    const rows = record.result?.rows.length ?? 0;
    this.#rowsOf.set(record, rows);
    this.#rows += rows;
  }

  /**
   * Called when a query finishes: its rows now count against the budget (`keep`, the one just
   * finished, stays). Oldest first, in the map's insertion order, with the rows kept as a running
   * sum: a query within the limits costs one comparison, not a walk over every record.
   */
  evict(keep?: QueryRecord): void {
    for (const [id, r] of this.#records) {
      if (this.#records.size <= this.capacity && this.#rows <= this.rowBudget) break;
      if (r.status === 'RUNNING' || r === keep) continue;
      this.#rows -= this.#rowsOf.get(r) ?? 0;
      this.#records.delete(id);
      if (r.requestId !== null) this.#byRequest.delete(r.requestId);
    }
  }
}
