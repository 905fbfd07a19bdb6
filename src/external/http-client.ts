import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { HttpCall, HttpOutcome } from './protocol.js';

/**
 * The HTTP side of external-function calls: protocol batches sent from the serving thread without
 * blocking it (everything below is asynchronous), `concurrency` at a time, each retried on
 * 429/5xx/network errors with the same batch id and polled with GET while it answers 202.
 *
 * node:http rather than fetch: a statement waits for every round trip, and fetch's per-request
 * machinery (Request objects, web streams, abort signals) cost more than the loopback exchange.
 * Keep-alive agents reuse connections across batches and statements.
 */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * Sends `count` exchanges, up to `concurrency` at a time. Each is built (`make`) just before it is
 * sent and handed over (`done`) as soon as it completes, so no step holds the thread for long.
 */
export async function sendEach(
  count: number,
  concurrency: number,
  make: (i: number) => HttpCall,
  done: (i: number, call: HttpCall, outcome: HttpOutcome) => void,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const call = make(i);
      done(i, call, await perform(call).catch((e: unknown) => ({ ok: false, status: 0, message: (e as Error).message })));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Exponential backoff with full jitter, capped: attempt 1 waits up to base, attempt k up to base·2^(k-1). */
const backoff = (call: HttpCall, attempt: number): number =>
  Math.min(call.maxBackoffMs, call.baseBackoffMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

/** A status worth retrying: the service is overloaded (429) or failed transiently (5xx). */
const transient = (status: number): boolean => status === 429 || status >= 500;

async function perform(call: HttpCall): Promise<HttpOutcome> {
  const headers: Record<string, string> = { ...call.headers, 'content-type': 'application/json', 'accept-encoding': 'gzip' };
  // Level 1: batches are repetitive JSON that the fastest level already shrinks several-fold; the caller waits on it.
  const body = call.gzip ? gzipSync(call.body, { level: 1 }) : Buffer.from(call.body);
  if (call.gzip) headers['content-encoding'] = 'gzip';
  const deadline = Date.now() + call.timeoutMs;
  let attempts = 0;
  let polls = 0;
  let method: 'POST' | 'GET' = 'POST';
  for (;;) {
    if (Date.now() > deadline)
      return { ok: false, status: 0, message: `no answer within ${call.timeoutMs} ms (${attempts} attempt(s), ${polls} poll(s))` };
    let res: Answer;
    try {
      res = await exchange(
        call.url,
        method,
        method === 'POST' ? headers : pollHeaders(headers),
        method === 'POST' ? body : null,
        Math.max(1, deadline - Date.now()),
      );
    } catch (e) {
      // Connection refused/reset is as transient as a 503: retry within the same bound.
      if (++attempts >= call.maxAttempts) return { ok: false, status: 0, message: `${networkMessage(e)} after ${attempts} attempt(s)` };
      await sleep(backoff(call, attempts));
      continue;
    }
    if (res.status === 200) return { ok: true, status: 200, body: res.body, attempts: attempts + 1, polls };
    if (res.status === 202) {
      // Asynchronous mode: the service is still working; ask again with GET, same URL and headers.
      method = 'GET';
      polls++;
      await sleep(call.pollIntervalMs);
      continue;
    }
    if (transient(res.status) && ++attempts < call.maxAttempts) {
      await sleep(backoff(call, attempts));
      continue;
    }
    const text = Buffer.from(res.body).toString('utf8');
    return {
      ok: false,
      status: res.status,
      message: `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}${transient(res.status) ? ` after ${attempts} attempt(s)` : ''}`,
    };
  }
}

interface Answer {
  readonly status: number;
  /** The decoded (gunzipped) body. */
  readonly body: Uint8Array;
}

/** One HTTP exchange over a kept-alive connection; rejects on network errors and when `timeoutMs` passes. */
function exchange(
  url: string,
  method: 'POST' | 'GET',
  headers: OutgoingHttpHeaders,
  body: Buffer | null,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const https = url.startsWith('https:');
    const req = (https ? httpsRequest : httpRequest)(url, {
      method,
      headers: body ? { ...headers, 'content-length': body.length } : headers,
      agent: https ? agents.https : agents.http,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      res.once('end', () => {
        clearTimeout(timer);
        try {
          resolve({ status: res.statusCode ?? 0, body: decoded(Buffer.concat(chunks), res.headers['content-encoding']) });
        } catch (e) {
          reject(e);
        }
      });
    });
    req.end(body ?? undefined);
  });
}

/** The body as sent before content encoding. */
function decoded(raw: Buffer, encoding: string | undefined): Uint8Array {
  return encoding?.trim().toLowerCase() === 'gzip' ? gunzipSync(raw) : raw;
}

/** Polling GETs carry the POST's headers (batch id included) but no body. */
function pollHeaders(h: Record<string, string>): Record<string, string> {
  const { 'content-type': _t, 'content-encoding': _e, ...rest } = h;
  return rest;
}

function networkMessage(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ?? err.message ?? String(e);
}
