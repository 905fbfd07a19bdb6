import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import {
  evaluateFold,
  getAlgorithm,
  RecpipeError,
  svdStrataOf,
  topNFor,
  type FoldResult,
  type SvdStrata,
  type TopNResult,
} from '../core/index.js';
import { loadKernels, type KernelPreference } from '../kernels/index.js';
import { EpochBatches } from './epoch-batches.js';
import {
  decodeSplit,
  encodeError,
  type EpochsBatch,
  type ItemSide,
  type Ready,
  type Reply,
  type StrataTask,
  type Task,
} from './messages.js';

/**
 * Worker entry of the compute pool: loads its own kernels (its own WebAssembly instance and linear
 * memory), then runs one task per message. Timings are taken here, on the thread that does the work.
 */
if (!parentPort) throw new RecpipeError('INTERNAL', 'compute-worker.js must run as a worker thread');
const port = parentPort;

let fallback: string | undefined;
const kernels = loadKernels((workerData as { kernels: KernelPreference }).kernels, (reason) => (fallback = reason));
port.postMessage({ ready: true, kernels: kernels.name, fallback } satisfies Ready);

port.on('message', (task: Task) => {
  try {
    const [result, transfer] = run(task);
    port.postMessage({ ok: true, result } satisfies Reply, transfer);
  } catch (e) {
    port.postMessage({ ok: false, error: encodeError(e) } satisfies Reply);
  }
});

/** Open stratified fits, by session: this worker's strata stay here between passes. */
const sessions = new Map<
  number,
  { readonly strata: SvdStrata; readonly items: readonly ItemSide[]; readonly buffer: { itemIdx: Int32Array; ratings: Float32Array } }
>();

function strata(task: StrataTask): number | null {
  if (task.kind === 'strataOpen') {
    const { session, shapes, users, items, buffer } = task;
    sessions.set(session, { strata: svdStrataOf(kernels, shapes, users, task.nFactors, task.biased, task.rates), items, buffer });
    return null;
  }
  const open = sessions.get(task.session);
  if (!open) throw new RecpipeError('INTERNAL', `no stratified fit ${task.session} is open in this worker`);
  if (task.kind === 'strataLoad') {
    open.strata.load(task.block, task.at, open.buffer.itemIdx.subarray(0, task.n), open.buffer.ratings.subarray(0, task.n));
    return null;
  }
  if (task.kind === 'strataRun') return open.strata.run(task.block, open.items[task.block].itemBias, open.items[task.block].itemFactors);
  open.strata.saveUsers();
  sessions.delete(task.session);
  return null;
}

function run(task: Task): [FoldResult | TopNResult | number | null, ArrayBuffer[]] {
  if (task.kind === 'strataOpen' || task.kind === 'strataLoad' || task.kind === 'strataRun' || task.kind === 'strataClose')
    return [strata(task), []];
  if (task.kind === 'fold') {
    const algo = getAlgorithm(task.algorithm);
    const config = algo.parseConfig(task.config);
    const out = task.epochs;
    const epochs = out
      ? new EpochBatches(
          (from, values, heldOut) => out.postMessage({ from, values, ...(heldOut ? { heldOut } : {}) } satisfies EpochsBatch),
          () => performance.now(),
        )
      : null;
    try {
      const result = evaluateFold(algo, config, decodeSplit(task.split), task.fold, {
        seed: task.seed,
        kernels,
        clock: () => performance.now(),
        ranking: task.ranking,
        heldOut: task.heldOut === true,
        keepPredictions: task.predictions === true,
        ...(epochs ? { onEpoch: (_fold: number, _epoch: number, rmse: number, held?: number) => epochs.add(rmse, held) } : {}),
      });
      return [result, result.predictions ? [result.predictions.buffer as ArrayBuffer] : []];
    } finally {
      out?.close();
    }
  }
  const { model, exclude, itemRank } = task.block;
  const users = task.block.users ?? Int32Array.from({ length: model.userIds.length }, (_, u) => u);
  const result = topNFor(model, users, exclude, task.n, itemRank, kernels);
  return [result, [result.items.buffer as ArrayBuffer, result.scores.buffer as ArrayBuffer]];
}
