import { isTerminal, type JobManager, type TrainingJob } from '../jobs/index.js';

type Waiter = () => void;

/**
 * Waiters for training jobs to end. One listener on the manager's status events serves every long
 * poll (rather than one listener per request, which grows the emitter past its listener warning).
 */
export class JobWatch {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly onStatus = (job: TrainingJob): void => {
    if (!isTerminal(job.status)) return;
    for (const wake of this.waiters.get(job.name) ?? []) wake();
  };

  constructor(private readonly jobs: JobManager) {
    jobs.on('status', this.onStatus);
  }

  /**
   * The job once it has ended, or as it is when `timeoutMs` passes or `signal` aborts (server
   * closing, client gone). Throws NOT_FOUND for an unknown job.
   */
  wait(name: string, timeoutMs: number, signal: AbortSignal): Promise<TrainingJob> {
    const job = this.jobs.get(name);
    if (isTerminal(job.status) || timeoutMs <= 0 || signal.aborted) return Promise.resolve(job);
    return new Promise((resolve) => {
      const set = this.waiters.get(name) ?? new Set<Waiter>();
      this.waiters.set(name, set);
      const wake = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(name);
        resolve(this.jobs.get(name));
      };
      const timer = setTimeout(wake, timeoutMs);
      signal.addEventListener('abort', wake, { once: true });
      set.add(wake);
    });
  }

  close(): void {
    this.jobs.off('status', this.onStatus);
  }
}
