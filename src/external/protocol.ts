import { randomUUID } from 'node:crypto';
import { RecpipeError } from '../core/errors.js';
import type { FunctionArg } from '../warehouse/index.js';
import { signatureOf, type ExternalFunction } from './records.js';

/** One HTTP exchange of the external-function protocol, retried and polled by the worker. */
export interface HttpCall {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly gzip: boolean;
  /** Total attempts on 429/5xx/network errors, the first included. */
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly pollIntervalMs: number;
  /** Bound on the whole exchange: retries and asynchronous polling included. */
  readonly timeoutMs: number;
}

export type HttpOutcome =
  | { readonly ok: true; readonly status: 200; /** The answer's JSON text as UTF-8. */ readonly body: Uint8Array; readonly attempts: number; readonly polls: number }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** Snowflake's default batch size when MAX_BATCH_ROWS is not set is chosen by Snowflake; recpipe sends a DuckDB vector's worth. */
export const DEFAULT_BATCH_ROWS = 2048;

/** Retry and polling bounds of one batch (Snowflake retries 429/5xx with backoff for a bounded time). */
export interface CallPolicy {
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_POLICY: CallPolicy = { maxAttempts: 6, baseBackoffMs: 50, maxBackoffMs: 2000, pollIntervalMs: 100, timeoutMs: 300_000 };

/** JSON text of an argument: integers beyond 2^53 travel as decimal strings, which JSON numbers cannot hold. */
function jsonArg(v: FunctionArg): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return `"${v.toString()}"`;
  return JSON.stringify(v);
}

/**
 * Each row's arguments as the JSON text that follows its row number in a batch (`,arg,arg…`), or
 * null for a row RETURNS NULL ON NULL INPUT answers without a call. The text is also the row's key
 * when answers are looked up. A column repeating one string (the model name of invoke_model) is
 * encoded once, not once per row.
 */
export function argumentTexts(fn: Pick<ExternalFunction, 'nullOnNullInput'>, args: readonly (readonly FunctionArg[])[], rows: number): (string | null)[] {
  const lastValue: (FunctionArg | undefined)[] = args.map(() => undefined);
  const lastText: string[] = args.map(() => '');
  const out = new Array<string | null>(rows);
  for (let r = 0; r < rows; r++) {
    let text = '';
    let skip = false;
    for (let c = 0; c < args.length; c++) {
      const v = args[c][r];
      if (v === null && fn.nullOnNullInput) skip = true;
      if (v !== lastValue[c] || typeof v !== 'string') {
        lastValue[c] = v;
        lastText[c] = jsonArg(v);
      }
      text += `,${lastText[c]}`;
    }
    out[r] = skip ? null : text;
  }
  return out;
}

/** Per call: the caller's context, a query id, and the integration's API key (resolved from its secret). */
export interface CallContext {
  readonly database: string | null;
  readonly schema: string | null;
  readonly queryId: string;
  readonly apiKey: string | null;
}

/**
 * Splits rows (their argument texts, see argumentTexts) into protocol batches of at most
 * MAX_BATCH_ROWS rows: `{"data":[[row, arg…],…]}`, rows numbered from 0 within each batch. Each
 * batch gets its own query-batch id, which the client reuses on every retry and poll of that batch.
 */
export function prepareBatches(fn: ExternalFunction, rows: readonly string[], context: CallContext, policy: CallPolicy): HttpCall[] {
  const size = fn.maxBatchRows ?? DEFAULT_BATCH_ROWS;
  const base = baseHeaders(fn, context);
  const calls: HttpCall[] = [];
  for (let from = 0; from < rows.length; from += size) {
    let body = '{"data":[';
    const to = Math.min(rows.length, from + size);
    for (let k = from; k < to; k++) body += `${k === from ? '' : ','}[${k - from}${rows[k]}]`;
    calls.push({
      url: fn.url,
      headers: { ...base, 'sf-external-function-query-batch-id': randomUUID() },
      body: `${body}]}`,
      gzip: fn.compression !== 'NONE',
      ...policy,
    });
  }
  return calls;
}

function baseHeaders(fn: ExternalFunction, context: CallContext): Record<string, string> {
  const h: Record<string, string> = {
    'sf-external-function-format': 'json',
    'sf-external-function-format-version': '1.0',
    'sf-external-function-current-query-id': context.queryId,
    'sf-external-function-name': fn.name,
    'sf-external-function-name-base64': Buffer.from(fn.name).toString('base64'),
    'sf-external-function-signature': `(${fn.argNames.map((n, i) => `${n} ${fn.argTypes[i]}`).join(', ')})`,
    'sf-external-function-return-format': 'VARIANT',
    'sf-context-current-database': context.database ?? '',
    'sf-context-current-schema': context.schema ?? '',
  };
  for (const [k, v] of Object.entries(fn.headers)) h[`sf-custom-${k}`] = v;
  if (context.apiKey !== null) h['x-api-key'] = context.apiKey;
  return h;
}

/**
 * The answers of all batches, in the order the rows were sent (JSON null as SQL NULL). Each answer
 * must be `{"data":[[row, value],…]}` with exactly one row per sent row, in the same order, row
 * numbers echoed; anything else fails the query with the function, URL and batch named.
 */
export function collectResults(fn: ExternalFunction, calls: readonly HttpCall[], rows: number, outcomes: readonly HttpOutcome[]): unknown[] {
  const size = fn.maxBatchRows ?? DEFAULT_BATCH_ROWS;
  const out = new Array<unknown>(rows);
  outcomes.forEach((o, b) => {
    const where = `external function ${signatureOf(fn)} at ${fn.url} (batch ${calls[b].headers['sf-external-function-query-batch-id']})`;
    if (!o.ok) throw new RecpipeError('FAILED_PRECONDITION', `Request failed for ${where}: ${o.message}`);
    const sent = Math.min(size, rows - b * size);
    const data = parseData(o.body, where);
    if (data.length !== sent) throw bad(where, `returned ${data.length} row(s) for a batch of ${sent}`);
    data.forEach((row, k) => {
      if (!Array.isArray(row) || row.length !== 2) throw bad(where, `row ${k} is not a [row number, value] pair: ${JSON.stringify(row).slice(0, 100)}`);
      if (row[0] !== k) throw bad(where, `row ${k} carries row number ${JSON.stringify(row[0])}; rows must come back in order with their numbers`);
      if (row[1] === null && fn.returnsNotNull) throw bad(where, `returned NULL for row ${k}, but the function is declared RETURNS VARIANT NOT NULL`);
      out[b * size + k] = row[1] ?? null;
    });
  });
  return out;
}

function parseData(bytes: Uint8Array, where: string): unknown[] {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw bad(where, `answered with a body that is not JSON: ${body.slice(0, 100)}`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw bad(where, `answered without a "data" array: ${body.slice(0, 100)}`);
  return data;
}

const bad = (where: string, what: string): RecpipeError => new RecpipeError('FAILED_PRECONDITION', `Invalid response from ${where}: ${what}`);
