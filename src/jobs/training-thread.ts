import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { EpochsBatch } from '../compute/index.js';
import { RecpipeError } from '../core/index.js';
import type { ProgressPhase } from './job.js';
import type { TrainResult, TrainTask, WorkerMessage } from './worker-protocol.js';

export interface TrainingHandlers {
  progress(phase: ProgressPhase, done: number, total: number): void;
  log(line: string): void;
  curve(fold: number, from: number, values: readonly number[], heldOut?: readonly number[]): void;
}

export interface TrainingThread {
  /** The worker's result; rejects with its error, or once the thread is terminated. */
  readonly result: Promise<TrainResult>;
  /** Ends the thread (and the compute threads it started) at once. */
  terminate(): Promise<void>;
}

/**
 * Starts a training worker with the task's ratings arrays transferred (not copied) to it. The worker
 * is terminated as soon as it has answered, so a job never leaves threads behind.
 */
export function startTrainingThread(task: TrainTask, handlers: TrainingHandlers): TrainingThread {
  // The folds' curves come straight from their compute threads, one channel per fold.
  const channels = Array.from({ length: task.folds }, (_, f) => {
    const channel = new MessageChannel();
    channel.port1.on('message', (b: EpochsBatch) => handlers.curve(f + 1, b.from, b.values, b.heldOut));
    channel.port1.unref();
    return channel;
  });
  const curvePorts = channels.map((c) => c.port2);
  const transferList = [
    task.users.buffer,
    task.items.buffer,
    task.ratings.buffer,
    ...(task.timestamps ? [task.timestamps.buffer] : []),
    ...curvePorts,
  ] as (ArrayBuffer | MessagePort)[];
  const worker = new Worker(new URL('./training-worker.js', import.meta.url), { workerData: { ...task, curvePorts }, transferList });
  let terminated = false;
  const result = new Promise<TrainResult>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      switch (m.kind) {
        case 'progress':
          return handlers.progress(m.phase, m.done, m.total);
        case 'log':
          return handlers.log(m.line);
        case 'curve':
          return handlers.curve(m.fold, m.from, m.values, m.heldOut);
        case 'done':
          return resolve(m.result);
        case 'failed':
          return reject(new RecpipeError(m.error.code, m.error.message));
      }
    });
    worker.on('error', (e) => reject(new RecpipeError('INTERNAL', `the training worker failed: ${e.stack ?? e.message}`)));
    worker.on('exit', (code) =>
      reject(
        new RecpipeError(
          'INTERNAL',
          terminated ? 'the training worker was terminated' : `the training worker exited with code ${code} before answering`,
        ),
      ),
    );
  });
  const terminate = async (): Promise<void> => {
    terminated = true;
    for (const c of channels) c.port1.close();
    await worker.terminate();
  };
  result.then(terminate, terminate);
  return { result, terminate };
}
