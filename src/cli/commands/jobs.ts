import { RecpipeError, invalid } from '../../core/errors.js';
import type { ControlClient, JobObserver, TrainingJob } from '../../client/index.js';
import { jsonText, print, withControl, type ControlOptions } from '../control.js';
import { formatJobDetail, formatJobList, progressText, transitionLine } from '../job-report.js';

interface FormatOptions extends ControlOptions {
  json?: boolean;
}

interface WaitOptions extends ControlOptions {
  timeout?: string;
}

/** `recpipe jobs list` */
export const list = (o: FormatOptions) =>
  withControl(o, async (c) => print(o.json ? jsonText(await c.listJobs()) : formatJobList(await c.listJobs(), new Date())));

/** `recpipe jobs describe NAME` */
export const describe = (name: string, o: FormatOptions) =>
  withControl(o, async (c) => print(o.json ? jsonText(await c.describeJob(name)) : formatJobDetail(await c.describeJob(name), new Date())));

/** `recpipe jobs logs NAME` */
export const logs = (name: string, o: ControlOptions) => withControl(o, async (c) => print(await c.jobLogs(name)));

/** `recpipe jobs wait NAME` */
export const wait = (name: string, o: WaitOptions) => withControl(o, (c) => waitFor(c, name, o.timeout));

/** `recpipe jobs stop NAME` */
export const stop = (name: string, o: ControlOptions) =>
  withControl(o, async (c) => {
    const job = await c.stopJob(name);
    print(`Training job ${job.name} is ${job.secondaryStatus}${job.stopReason ? `: ${job.stopReason}` : ''}
`);
  });

async function waitFor(client: ControlClient, name: string, timeout: string | undefined): Promise<void> {
  const seconds = timeout === undefined ? undefined : Number(timeout);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds >= 0))
    throw invalid(`--timeout must be a number of seconds ≥ 0, got '${timeout}'`);
  const job = await client.followJob(name, jobPrinter(), seconds === undefined ? undefined : seconds * 1000);
  if (!reportOutcome(job)) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `training job ${name} is still ${job.status} (${job.secondaryStatus}) after ${seconds} s; wait again or stop it with: recpipe jobs stop ${name}`,
    );
  }
}

/** Prints log lines as they come, each new status transition, and progress at most once a second. */
export function jobPrinter(out: (text: string) => void = print): JobObserver {
  let transitions = 0;
  let lastProgress = '';
  let progressAt = 0;
  return {
    log: (line) => out(line + '\n'),
    update(job: TrainingJob) {
      for (const t of job.secondaryStatusTransitions.slice(transitions)) out(transitionLine(t) + '\n');
      transitions = job.secondaryStatusTransitions.length;
      const progress = job.progress ? progressText(job.progress) : '';
      if (progress !== '' && progress !== lastProgress && Date.now() - progressAt >= 1000) {
        out(`  progress: ${progress}\n`);
        lastProgress = progress;
        progressAt = Date.now();
      }
    },
  };
}

/**
 * Prints how an ended job ended and sets the exit status (1 unless Completed); returns false when
 * the job has not ended.
 */
export function reportOutcome(job: TrainingJob): boolean {
  if (job.status === 'Completed') {
    const rmse = job.metrics?.cv ? `; mean RMSE ${job.metrics.cv.mean.rmse.toFixed(4)}` : '';
    print(`Training job ${job.name} Completed${rmse}; model artifact ${job.artifactUri}\n`);
    return true;
  }
  if (job.status === 'Failed' || job.status === 'Stopped') {
    print(`Training job ${job.name} ${job.status}: ${job.failureReason ?? job.stopReason ?? job.secondaryStatus}\n`);
    process.exitCode = 1;
    return true;
  }
  return false;
}
