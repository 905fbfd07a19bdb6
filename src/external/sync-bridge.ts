import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { RecpipeError } from '../core/errors.js';
import type { HttpCall, HttpOutcome, WorkerReply } from './bridge-messages.js';

/**
 * Makes HTTP exchanges look synchronous to DuckDB's scalar-function callback, which must return
 * its results before it returns. A worker thread does the fetches; the calling thread posts the
 * request and sleeps in Atomics.wait on a shared flag, then takes the reply from a MessagePort with
 * receiveMessageOnPort — neither step needs its own event loop to turn.
 *
 * The price: while it waits, this thread's event loop is frozen. A URL served by this same process
 * (its own HTTP service) could therefore never answer — the target must be another process. The
 * caller refuses such URLs up front (see `ExternalFunctions`), and `timeoutMs` bounds every wait.
 */
export class SyncBridge {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private flag = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;

  /** Runs the exchanges (up to `concurrency` at a time) and returns their outcomes in order. */
  send(calls: readonly HttpCall[], concurrency: number, timeoutMs: number): HttpOutcome[] {
    if (calls.length === 0) return [];
    const { worker, port } = this.started();
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    worker.postMessage({ id, calls, concurrency });
    if (!this.waitForReply(timeoutMs)) {
      // The worker still owns that request; a fresh worker keeps its late answer from being read as the next one's.
      this.close();
      throw new RecpipeError('INTERNAL', `external function call got no answer within ${timeoutMs} ms`);
    }
    const msg = receiveMessageOnPort(port)?.message as WorkerReply | undefined;
    if (!msg || msg.id !== id) throw new RecpipeError('INTERNAL', 'external function bridge lost its reply');
    return msg.outcomes;
  }

  /**
   * Sleeps until the worker raises the flag. A wake-up alone proves nothing: the worker's notify
   * for the previous request may land after this one began, so the flag itself is re-checked.
   */
  private waitForReply(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    while (Atomics.load(this.flag, 0) === 0) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.flag, 0, 0, left) === 'timed-out') return Atomics.load(this.flag, 0) !== 0;
    }
    return true;
  }

  private started(): { worker: Worker; port: MessagePort } {
    if (this.worker && this.port) return { worker: this.worker, port: this.port };
    const { port1, port2 } = new MessageChannel();
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL('./http-worker.js', import.meta.url), { workerData: { signal: this.flag.buffer, reply: port2 }, transferList: [port2] });
    // An idle bridge must not keep the process alive.
    worker.unref();
    port1.unref();
    this.worker = worker;
    this.port = port1;
    return { worker, port: port1 };
  }

  close(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = null;
    this.port = null;
  }
}
