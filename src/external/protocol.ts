import { randomUUID } from 'node:crypto';
import { RecpipeError } from '../core/errors.js';
import type { FunctionArg } from '../warehouse/index.js';
import type { HttpCall, HttpOutcome } from './bridge-messages.js';
import { signatureOf, type ExternalFunction } from './records.js';

/** Snowflake's default batch size when MAX_BATCH_ROWS is not set is chosen by Snowflake; recpipe sends one DuckDB vector. */
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

/** Per call: the caller's context, a query id, and the integration's API key (resolved from its secret). */
export interface CallContext {
  readonly database: string | null;
  readonly schema: string | null;
  readonly queryId: string;
  readonly apiKey: string | null;
}

export interface PreparedCall {
  readonly calls: HttpCall[];
  /** For each call, the input row indexes it carries, in order. */
  readonly rowsOf: number[][];
}

/**
 * Splits one vector of rows into protocol batches of at most MAX_BATCH_ROWS rows:
 * `{"data":[[row, arg…],…]}`, rows numbered from 0 within each batch. Rows skipped by RETURNS NULL
 * ON NULL INPUT are not sent. Each batch gets its own query-batch id, which the worker reuses on
 * every retry and poll of that batch.
 */
export function prepareBatches(
  fn: ExternalFunction,
  args: readonly (readonly FunctionArg[])[],
  rows: number,
  context: CallContext,
  policy: CallPolicy,
): PreparedCall {
  const wanted: number[] = [];
  for (let r = 0; r < rows; r++) if (!fn.nullOnNullInput || !args.some((a) => a[r] === null)) wanted.push(r);
  const size = fn.maxBatchRows ?? DEFAULT_BATCH_ROWS;
  const base = baseHeaders(fn, context);
  const calls: HttpCall[] = [];
  const rowsOf: number[][] = [];
  for (let from = 0; from < wanted.length; from += size) {
    const chunk = wanted.slice(from, from + size);
    calls.push({
      url: fn.url,
      headers: { ...base, 'sf-external-function-query-batch-id': randomUUID() },
      body: batchBody(args, chunk),
      gzip: fn.compression !== 'NONE',
      ...policy,
    });
    rowsOf.push(chunk);
  }
  return { calls, rowsOf };
}

/**
 * `{"data":[[0, arg…],…]}` for the given input rows, written straight into one string (this runs
 * on the thread the warehouse waits on, for every vector). A column repeating one string (the
 * model name of invoke_model) is encoded once, not once per row.
 */
function batchBody(args: readonly (readonly FunctionArg[])[], chunk: readonly number[]): string {
  const lastValue: (FunctionArg | undefined)[] = args.map(() => undefined);
  const lastText: string[] = args.map(() => '');
  let body = '{"data":[';
  for (let k = 0; k < chunk.length; k++) {
    body += k === 0 ? `[${k}` : `,[${k}`;
    for (let c = 0; c < args.length; c++) {
      const v = args[c][chunk[k]];
      if (v !== lastValue[c] || typeof v !== 'string') {
        lastValue[c] = v;
        lastText[c] = jsonArg(v);
      }
      body += `,${lastText[c]}`;
    }
    body += ']';
  }
  return `${body}]}`;
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
 * Reads each batch's answer into `out` (the JSON values; JSON null as SQL NULL). The answer
 * must be `{"data":[[row, value],…]}` with exactly one row per sent row, in the same order, row
 * numbers echoed; anything else fails the query with the function, URL and batch named.
 */
export function collectResults(fn: ExternalFunction, prepared: PreparedCall, outcomes: readonly HttpOutcome[], out: unknown[]): void {
  outcomes.forEach((o, b) => {
    const where = `external function ${signatureOf(fn)} at ${fn.url} (batch ${prepared.calls[b].headers['sf-external-function-query-batch-id']})`;
    if (!o.ok) throw new RecpipeError('FAILED_PRECONDITION', `Request failed for ${where}: ${o.message}`);
    const sent = prepared.rowsOf[b];
    const data = parseData(o.body, where);
    if (data.length !== sent.length) throw bad(where, `returned ${data.length} row(s) for a batch of ${sent.length}`);
    data.forEach((row, k) => {
      if (!Array.isArray(row) || row.length !== 2) throw bad(where, `row ${k} is not a [row number, value] pair: ${JSON.stringify(row).slice(0, 100)}`);
      if (row[0] !== k) throw bad(where, `row ${k} carries row number ${JSON.stringify(row[0])}; rows must come back in order with their numbers`);
      if (row[1] === null && fn.returnsNotNull) throw bad(where, `returned NULL for row ${k}, but the function is declared RETURNS VARIANT NOT NULL`);
      out[sent[k]] = row[1] ?? null;
    });
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

const bad = (where: string, what: string): RecpipeError => new RecpipeError('FAILED_PRECONDITION', `Invalid response from ${where}: ${what}`);
