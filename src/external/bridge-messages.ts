/** Messages between the blocked warehouse thread and the HTTP worker of the synchronous bridge. */

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
  | { readonly ok: true; readonly status: 200; /** The answer's JSON text as UTF-8 (transferred from the worker, not copied). */ readonly body: Uint8Array; readonly attempts: number; readonly polls: number }
  | { readonly ok: false; readonly status: number; readonly message: string };

export interface WorkerRequest {
  readonly id: number;
  readonly calls: readonly HttpCall[];
  readonly concurrency: number;
}

export interface WorkerReply {
  readonly id: number;
  readonly outcomes: HttpOutcome[];
}
