import type { FastifyInstance } from 'fastify';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleHeapOptions {
  /** How long no request may have been running before the heap is collected. */
  readonly idleMs?: number;
  /** Collect only when the heap grew by this much since the last collection (small requests never pay for one). */
  readonly growthBytes?: number;
}

/**
 * Gives the memory of large requests back to the system once the server is idle.
 *
 * A request of thousands of statements leaves hundreds of megabytes of garbage in V8's old space
 * (each statement's tokens, syntax tree and result outlive a few scavenges, so they are promoted).
 * V8 collects old space only when it next needs room, which an idle server never does: its memory
 * reducer did not run in 40 s of idleness, and RSS stayed at the peak for good. One full collection
 * after the last request ends frees those pages, and V8 unmaps them (two passes: see `check`).
 *
 * Measured by `npm run bench:large-requests`. The collection runs on the main thread (~10–50 ms for a
 * live heap of ~30 MB), only after `idleMs` without requests and only when the heap grew by
 * `growthBytes`, so a busy server never pauses for it and a quiet one pays once per burst.
 */
export function collectWhenIdle(app: FastifyInstance, opts: IdleHeapOptions = {}): void {
  const idleMs = opts.idleMs ?? 1_000;
  const growth = opts.growthBytes ?? 32 * 1024 * 1024;
  const gc = fullCollection();
  let baseline = getHeapStatistics().used_heap_size;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    timer = undefined;
    if (inFlight > 0 || getHeapStatistics().used_heap_size - baseline < growth) return;
    // A second pass compacts the pages the first left sparsely used, so they too are unmapped.
    gc();
    gc();
    baseline = getHeapStatistics().used_heap_size;
  };
  app.addHook('onRequest', async (_request, reply) => {
    inFlight++;
    clearTimeout(timer);
    reply.raw.once('close', () => {
      if (--inFlight === 0) timer = setTimeout(check, idleMs).unref();
    });
  });
  app.addHook('onClose', async () => clearTimeout(timer));
}

/**
 * V8's full collection. Node offers it only as `gc` under `--expose-gc`; setting the flag at run time
 * exposes it in contexts created afterwards, so one is made to fetch it and the flag is turned off
 * again (workers started later do not get a global `gc`).
 */
function fullCollection(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
