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
  | {
      readonly ok: true;
      readonly status: 200 /** The answer's JSON text as UTF-8. */;
      readonly body: Uint8Array;
      readonly attempts: number;
      readonly polls: number;
    }
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

export const DEFAULT_POLICY: CallPolicy = {
  maxAttempts: 6,
  baseBackoffMs: 50,
  maxBackoffMs: 2000,
  pollIntervalMs: 100,
  timeoutMs: 300_000,
};

/** JSON text of an argument: integers beyond 2^53 travel as decimal strings, which JSON numbers cannot hold. */
function jsonArg(v: FunctionArg): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return `"${v.toString()}"`;
  return JSON.stringify(v);
}

/** Per call: the caller's context, a query id, and the integration's API key (resolved from its secret). */
export interface CallContext {
  readonly database: string | null;
  readonly schema: string | null;
  readonly queryId: string;
  readonly apiKey: string | null;
}

/**
 * One protocol batch of the argument tuples from..to (given column by column): `{"data":[[row, arg…],…]}`,
 * rows numbered from 0. It gets its own query-batch id, which the client reuses on every retry and
 * poll of that batch. `headers` are the function's (see protocolHeaders).
 */
export function batchCall(
  fn: ExternalFunction,
  headers: Readonly<Record<string, string>>,
  columns: readonly (readonly FunctionArg[])[],
  from: number,
  to: number,
  policy: CallPolicy,
): HttpCall {
  // A column repeating one string (the model name of invoke_model) is encoded once, not once per row.
  const lastValue: (FunctionArg | undefined)[] = [];
  const lastText: string[] = [];
  let body = '{"data":[';
  for (let k = 0; k < to - from; k++) {
    body += k === 0 ? `[${k}` : `,[${k}`;
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c][from + k];
      if (v !== lastValue[c] || typeof v !== 'string') {
        lastValue[c] = v;
        lastText[c] = jsonArg(v);
      }
      body += `,${lastText[c]}`;
    }
    body += ']';
  }
  return {
    url: fn.url,
    headers: { ...headers, 'sf-external-function-query-batch-id': randomUUID() },
    body: `${body}]}`,
    gzip: fn.compression !== 'NONE',
    ...policy,
  };
}

/** The headers Snowflake sends with every batch of one function's call. */
export function protocolHeaders(fn: ExternalFunction, context: CallContext): Record<string, string> {
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
 * The answers of one batch of `sent` rows, in order (JSON null as SQL NULL). The answer must be
 * `{"data":[[row, value],…]}` with exactly one row per sent row, in the same order, row numbers
 * echoed; anything else fails the query with the function, URL and batch named.
 */
export function readAnswers(fn: ExternalFunction, call: HttpCall, sent: number, outcome: HttpOutcome): unknown[] {
  const where = `external function ${signatureOf(fn)} at ${fn.url} (batch ${call.headers['sf-external-function-query-batch-id']})`;
  if (!outcome.ok) throw new RecpipeError('FAILED_PRECONDITION', `Request failed for ${where}: ${outcome.message}`);
  const data = parseData(outcome.body, where);
  if (data.length !== sent) throw bad(where, `returned ${data.length} row(s) for a batch of ${sent}`);
  return data.map((row, k) => {
    if (!Array.isArray(row) || row.length !== 2)
      throw bad(where, `row ${k} is not a [row number, value] pair: ${JSON.stringify(row).slice(0, 100)}`);
    if (row[0] !== k)
      throw bad(where, `row ${k} carries row number ${JSON.stringify(row[0])}; rows must come back in order with their numbers`);
    if (row[1] === null && fn.returnsNotNull)
      throw bad(where, `returned NULL for row ${k}, but the function is declared RETURNS VARIANT NOT NULL`);
    return row[1] ?? null;
  });
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

const bad = (where: string, what: string): RecpipeError =>
  new RecpipeError('FAILED_PRECONDITION', `Invalid response from ${where}: ${what}`);
