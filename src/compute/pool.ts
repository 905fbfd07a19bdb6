import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import {
  getAlgorithm,
  invalid,
  RecpipeError,
  summarize,
  type CvResult,
  type Exclusions,
  type FactorModel,
  type FoldResult,
  type Split,
  type TopNResult,
  gatherRows,
  planStrata,
  scatterRows,
  PIECE,
  strataPieces,
  strataShapes,
  stratumOf,
  type SvdRates,
  type SvdState,
  type Trainset,
} from '../core/index.js';
import { kernelPreferences, type KernelPreference } from '../kernels/index.js';
import {
  encodeBlock,
  encodeSplit,
  sharedItemSide,
  type EpochsBatch,
  type ItemSide,
  type Ready,
  type Reply,
  type Task,
} from './messages.js';

export interface PoolOptions {
  /** Worker threads; defaults to the machine's available parallelism. */
  readonly workers?: number;
  readonly kernels?: KernelPreference;
  /**
   * Most users in one top-N block of a factor model (default 16,384: a few megabytes of user
   * factors and rated lists per block at 100 factors); smaller user sets go in one block per worker.
   */
  readonly topNBlockUsers?: number;
  /** Ratings per piece a stratified fit's strata are loaded in (default PIECE, 2^20: an 8 MB shared buffer). */
  readonly strataPiece?: number;
}

type Transferable = ArrayBuffer | MessagePort;

interface Job {
  readonly task: Task;
  readonly transfer: Transferable[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** The worker that must run it (a stratified fit's worker holds its strata); any when absent. */
  readonly on?: number;
}

/** Training RMSE (and held-out RMSE, when asked) of a fold's epochs `from`, `from + 1`, … while it fits (a few batches a second at most). */
export type EpochsHandler = (from: number, values: readonly number[], heldOut?: readonly number[]) => void;

interface Slot {
  readonly worker: Worker;
  job: Job | null;
}

/**
 * A fixed set of worker threads, each with its own kernels, fed from one queue. Idle workers do not
 * keep the process alive; `close()` ends them. Results come back in task order whatever the finish order.
 */
export class ComputePool {
  readonly size: number;
  private readonly topNBlockUsers: number;
  private readonly strataPiece: number;
  /** Resolves once every worker has loaded its kernels, with the kernel name and any fallback reason. */
  readonly ready: Promise<{ kernels: string; fallback?: string }>;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private failure: RecpipeError | null = null;
  private sessions = 0;

  constructor(opts: PoolOptions = {}) {
    const size = opts.workers ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1) throw invalid(`number of workers must be an integer ≥ 1, got ${size}`, { workers: size });
    const kernels = opts.kernels ?? 'auto';
    if (!kernelPreferences.includes(kernels))
      throw invalid(`unknown kernel preference '${kernels}'; known: ${kernelPreferences.join(', ')}`, { kernels });
    this.size = size;
    this.topNBlockUsers = opts.topNBlockUsers ?? 16_384;
    if (!Number.isInteger(this.topNBlockUsers) || this.topNBlockUsers < 1)
      throw invalid(`topNBlockUsers must be an integer ≥ 1, got ${this.topNBlockUsers}`);
    this.strataPiece = opts.strataPiece ?? PIECE;
    if (!Number.isInteger(this.strataPiece) || this.strataPiece < 1)
      throw invalid(`strataPiece must be an integer ≥ 1, got ${this.strataPiece}`);
    const readies: Promise<Ready>[] = [];
    for (let w = 0; w < size; w++) {
      const worker = new Worker(new URL('./compute-worker.js', import.meta.url), { workerData: { kernels } });
      const slot: Slot = { worker, job: null };
      readies.push(
        new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
      );
      worker.on('error', (e) => this.fail(new RecpipeError('INTERNAL', `compute worker ${w} failed: ${e.message}`)));
      worker.on('exit', (code) => code !== 0 && this.fail(new RecpipeError('INTERNAL', `compute worker ${w} exited with code ${code}`)));
      readies[w].then(
        () => {
          worker.on('message', (reply: Reply) => this.settle(slot, reply));
          if (!slot.job && !this.failure) worker.unref();
          this.pump();
        },
        () => undefined,
      );
      this.slots.push(slot);
    }
    this.ready = Promise.all(readies).then((r) => ({ kernels: r[0].kernels, ...(r[0].fallback ? { fallback: r[0].fallback } : {}) }));
    // Start-up failures also reach every task through fail(); nobody need await `ready` to see them.
    this.ready.catch(() => undefined);
  }

  /**
   * Runs one fold per task (`evaluateFold` with the same seed for every fold, as core `crossValidate`).
   * Each fold's training curve goes, as it grows, to `epochs[f]` (a handler here, or a port to another
   * thread that is not held up while this one is busy).
   */
  async crossValidate(
    algorithmId: string,
    rawConfig: Readonly<Record<string, unknown>>,
    splits: readonly Split[],
    seed: number,
    opts: { readonly epochs?: readonly (EpochsHandler | MessagePort | undefined)[]; readonly heldOut?: boolean } = {},
  ): Promise<CvResult> {
    const algo = getAlgorithm(algorithmId);
    algo.parseConfig(rawConfig); // fail here, before any fold is sent
    return summarize(
      algo.displayName,
      await Promise.all(
        splits.map((split, f) => {
          const epochs = opts.epochs?.[f];
          return this.evaluateFold(algo.id, rawConfig, split, f + 1, seed, { ...(epochs ? { epochs } : {}), heldOut: opts.heldOut });
        }),
      ),
    );
  }

  /** One fold in a worker: fit on the split's train part, score its test part. The split's buffers are transferred. */
  evaluateFold(
    algorithmId: string,
    rawConfig: Readonly<Record<string, unknown>>,
    split: Split,
    fold: number,
    seed: number,
    opts: {
      readonly ranking?: boolean;
      readonly predictions?: boolean;
      readonly epochs?: EpochsHandler | MessagePort;
      readonly heldOut?: boolean;
    } = {},
  ): Promise<FoldResult> {
    const transfer: ArrayBuffer[] = [];
    const epochs = opts.epochs ? epochsPort(opts.epochs) : undefined;
    const task: Task = {
      kind: 'fold',
      algorithm: algorithmId,
      config: { ...rawConfig },
      seed,
      fold,
      split: encodeSplit(split, transfer),
      ...(opts.ranking === false ? { ranking: false } : {}),
      ...(opts.predictions ? { predictions: true } : {}),
      ...(epochs ? { epochs } : {}),
      ...(opts.heldOut ? { heldOut: true } : {}),
    };
    return this.run<FoldResult>(task, epochs ? [...transfer, epochs] : transfer);
  }

  /**
   * `kernels.topN` over contiguous blocks of users, each worker taking the next block when it is
   * done. A factor model goes in blocks of at most `topNBlockUsers`, encoded only as a worker takes one,
   * so at most one block per worker is copied at a time (at 25M ratings one block per worker held
   * several hundred megabytes); a model with an extension (copied whole with every block) goes in one
   * block per worker. Each user's list depends on that user alone: the lists are the same either way.
   */
  async topN(model: FactorModel, users: Int32Array, exclude: Exclusions, n: number, itemRank: Int32Array): Promise<TopNResult> {
    const perWorker = Math.ceil(users.length / this.size);
    const per = Math.max(1, model.extension ? perWorker : Math.min(perWorker, this.topNBlockUsers));
    const items = new Int32Array(users.length * n);
    const scores = new Float32Array(users.length * n);
    let next = 0;
    let computed = 0;
    let pruned = false;
    const shared = model.extension ? undefined : sharedItemSide(model, itemRank);
    const lane = async (): Promise<void> => {
      while (next < users.length) {
        const from = next;
        next += per;
        const transfer: ArrayBuffer[] = [];
        const block = encodeBlock(model, users.subarray(from, from + per), exclude, itemRank, transfer, shared);
        const r = await this.run<TopNResult>({ kind: 'topN', block, n }, transfer);
        items.set(r.items, from * n);
        scores.set(r.scores, from * n);
        if (r.computed !== undefined) pruned = true;
        computed += r.computed ?? (r.items.length / n) * model.itemIds.length;
      }
    };
    await Promise.all(Array.from({ length: this.size }, lane));
    return pruned ? { items, scores, computed } : { items, scores };
  }

  /**
   * Stratified SGD (DSGD, svd-strata.ts) of SVD on W = min(pool size, available parallelism) workers,
   * updating `state` in place: the same result as `svdStrataFit` with W on one thread, so the same
   * for a seed and W whatever the timing. Each worker lays out its user block's strata in its own
   * linear memory, filled through one small shared buffer a piece at a time (no copy of the ratings
   * here or there), and keeps its block's user factors, starting from and saved back into the
   * state's rows (shared memory: `svdInitialState(…, { shared: true })`, else a shared copy here).
   * Item blocks live in shared memory and move between workers at sub-epoch boundaries. Returns W.
   */
  async svdStrata(
    ts: Trainset,
    state: SvdState,
    rates: SvdRates,
    nEpochs: number,
    onEpoch?: (epoch: number, rmse: number) => void,
  ): Promise<number> {
    const W = Math.min(this.size, availableParallelism());
    const plan = planStrata(ts, W);
    const k = state.nFactors;
    const shared = (n: number) => new Float32Array(new SharedArrayBuffer(n * 4));
    const sharedCopy = (a: Float32Array): Float32Array => {
      if (a.buffer instanceof SharedArrayBuffer) return a;
      const copy = shared(a.length);
      copy.set(a);
      return copy;
    };
    const items: ItemSide[] = plan.itemBlocks.map((ids) => ({
      itemBias: gatherRows(state.itemBias, 1, ids, shared(ids.length)),
      itemFactors: gatherRows(state.itemFactors, k, ids, shared(ids.length * k)),
    }));
    const userBias = sharedCopy(state.userBias);
    const userFactors = sharedCopy(state.userFactors);
    const buffer = { itemIdx: new Int32Array(new SharedArrayBuffer(this.strataPiece * 4)), ratings: shared(this.strataPiece) };
    const session = ++this.sessions;
    const { lrBu, lrBi, lrPu, lrQi, regBu, regBi, regPu, regQi } = rates;
    const common = {
      session,
      items,
      buffer,
      nFactors: k,
      biased: state.biased,
      rates: { lrBu, lrBi, lrPu, lrQi, regBu, regBi, regPu, regQi },
    };
    const opened: Promise<unknown>[] = [];
    let fitted = false;
    try {
      for (let w = 0; w < W; w++) {
        const users = { userBias, userFactors, rows: plan.userBlocks[w] };
        const open = this.run({ kind: 'strataOpen', ...common, shapes: strataShapes(ts, plan, w), users }, [], w);
        opened.push(open);
        await open;
        // One piece in the buffer at a time: written here, copied there before the next is written.
        for (const { b, at, n } of strataPieces(ts, plan, w, buffer.itemIdx, buffer.ratings))
          await this.run({ kind: 'strataLoad', session, block: b, at, n }, [], w);
      }
      for (let epoch = 1; epoch <= nEpochs; epoch++) {
        let sse = 0;
        for (let s = 0; s < W; s++) {
          const passes = Array.from({ length: W }, (_, w) =>
            this.run<number>({ kind: 'strataRun', session, block: stratumOf(w, s, W) }, [], w),
          );
          // Added in worker order, as svdStrataFit does: the same bits.
          for (const x of await Promise.all(passes)) sse += x;
        }
        onEpoch?.(epoch, Math.sqrt(sse / ts.nRatings));
      }
      fitted = true;
    } finally {
      const closed = Promise.all(opened.map((_, w) => this.run({ kind: 'strataClose', session }, [], w)));
      if (fitted) await closed;
      else await closed.catch(() => undefined);
    }
    plan.itemBlocks.forEach((ids, b) => {
      scatterRows(items[b].itemBias, 1, ids, state.itemBias);
      scatterRows(items[b].itemFactors, k, ids, state.itemFactors);
    });
    if (userBias !== state.userBias) state.userBias.set(userBias);
    if (userFactors !== state.userFactors) state.userFactors.set(userFactors);
    return W;
  }

  async close(): Promise<void> {
    this.failure ??= new RecpipeError('FAILED_PRECONDITION', 'the compute pool is closed');
    this.drain(this.failure);
    // An unref'd worker would let the event loop end before its termination settles.
    for (const slot of this.slots) slot.worker.ref();
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private run<T>(task: Task, transfer: Transferable[], on?: number): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ task, transfer, resolve: resolve as (v: unknown) => void, reject, ...(on === undefined ? {} : { on }) });
      this.pump();
    });
  }

  private pump(): void {
    this.slots.forEach((slot, w) => {
      if (slot.job) return;
      const next = this.queue.findIndex((job) => job.on === undefined || job.on === w);
      if (next < 0) return;
      const [job] = this.queue.splice(next, 1);
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.task, job.transfer);
    });
  }

  private settle(slot: Slot, reply: Reply): void {
    if (this.failure) return; // closing: the job was rejected already, and the worker must stay ref'd until it exits
    const job = slot.job;
    slot.job = null;
    slot.worker.unref();
    if (job) {
      if (reply.ok) job.resolve(reply.result);
      else job.reject(new RecpipeError(reply.error.code, reply.error.message, reply.error.details));
    }
    this.pump();
  }

  private fail(e: RecpipeError): void {
    this.failure ??= e;
    this.drain(e);
  }

  private drain(e: RecpipeError): void {
    for (const slot of this.slots) {
      slot.job?.reject(e);
      slot.job = null;
    }
    for (const job of this.queue.splice(0)) job.reject(e);
  }
}

/**
 * The port a fold's worker posts its epochs to: the caller's own, or one whose batches reach `handler`
 * on this thread (closed by the worker when the fold ends, which lets this end go too).
 */
function epochsPort(to: EpochsHandler | MessagePort): MessagePort {
  if (typeof to !== 'function') return to;
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (b: EpochsBatch) => to(b.from, b.values, b.heldOut));
  port1.once('close', () => port1.removeAllListeners());
  port1.unref();
  return port2;
}
