import type { RankingFigures } from '../core/index.js';
import type { TrainingJob } from '../client/index.js';
import { columnsText } from '../jobs/job.js';
import { alignTable, formatDuration, labelled, shortTime } from './text-table.js';

type Table = TrainingJob['spec']['input'];

const tableName = (t: Table): string => `${t.database}.${t.schema}.${t.name}`;

/** Seconds from the job's creation to its end, or to `now` while it runs. */
export function jobSeconds(job: TrainingJob, now: Date): number {
  const end = job.trainingEndTime ? Date.parse(job.trainingEndTime) : now.getTime();
  return Math.max(0, (end - Date.parse(job.creationTime)) / 1000);
}

const meanRmse = (job: TrainingJob): string => (job.metrics?.cv ? job.metrics.cv.mean.rmse.toFixed(4) : '-');

/** `recpipe jobs list`: one aligned row per job, newest first as given. */
export function formatJobList(jobs: readonly TrainingJob[], now: Date): string {
  if (jobs.length === 0) return 'No training jobs yet; start one with: recpipe train --input-table T --output-table T\n';
  const header = ['NAME', 'STATUS', 'SECONDARY', 'INPUT → OUTPUT', 'MEAN RMSE', 'CREATED (UTC)', 'DURATION'];
  const rows = jobs.map((j) => [
    j.name,
    j.status,
    j.secondaryStatus,
    `${tableName(j.spec.input)} → ${tableName(j.spec.output)}`,
    meanRmse(j),
    shortTime(j.creationTime),
    formatDuration(jobSeconds(j, now)),
  ]);
  return alignTable(header, rows, [false, false, false, false, true, false, true]);
}

/** `recpipe jobs describe`: the job, its status history and its figures. */
export function formatJobDetail(job: TrainingJob, now: Date): string {
  const s = job.spec;
  const pairs: [string, string][] = [
    ['Training job', `${job.name} (${job.id})`],
    ['Status', job.status === job.secondaryStatus ? job.status : `${job.status} / ${job.secondaryStatus}`],
    ['Input → output', `${tableName(s.input)} → ${tableName(s.output)}`],
    ...(job.columns
      ? ([
          ['Input columns', columnsText(job.columns).input],
          ['Output columns', columnsText(job.columns).output],
        ] as [string, string][])
      : []),
    ['Algorithm', `${s.algorithm} ${JSON.stringify(s.hyperparameters)}`],
    [
      'Settings',
      `folds ${s.folds === 0 ? 'none' : s.folds}, top ${s.topN}, seed ${s.seed}, max run time ${formatDuration(s.maxRuntimeSeconds)}`,
    ],
    ['Created (UTC)', shortTime(job.creationTime)],
    ['Started', shortTime(job.trainingStartTime)],
    ['Ended', job.trainingEndTime ? `${shortTime(job.trainingEndTime)} (${formatDuration(jobSeconds(job, now))} after creation)` : '-'],
    ['Model artifact', job.artifactUri ?? '-'],
  ];
  if (job.failureReason) pairs.push(['Failure reason', job.failureReason]);
  if (job.stopReason) pairs.push(['Stop reason', job.stopReason]);
  if (job.progress) pairs.push(['Progress', progressText(job.progress)]);
  const parts = [labelled(pairs), '\nStatus transitions\n', formatTransitions(job.secondaryStatusTransitions)];
  if (job.metrics) parts.push('\nMetrics\n', formatMetrics(job.metrics));
  return parts.join('');
}

export function formatTransitions(transitions: TrainingJob['secondaryStatusTransitions']): string {
  const rows = transitions.map((t) => [
    shortTime(t.startTime),
    t.status,
    t.endTime ? formatDuration((Date.parse(t.endTime) - Date.parse(t.startTime)) / 1000) : 'now',
    t.statusMessage,
  ]);
  return indent(alignTable(['START (UTC)', 'STATUS', 'FOR', 'MESSAGE'], rows, [false, false, true, false]));
}

/** One transition as a line of `jobs wait` / `train` output. */
export const transitionLine = (t: TrainingJob['secondaryStatusTransitions'][number]): string =>
  `[${shortTime(t.startTime)}] ${t.status}: ${t.statusMessage}`;

function formatMetrics(m: NonNullable<TrainingJob['metrics']>): string {
  const d = m.data;
  const f = (x: number) => x.toFixed(4);
  const pairs: [string, string][] = [
    [
      'Data',
      `${d.ratings.toLocaleString('en-US')} ratings (${d.rowsRead.toLocaleString('en-US')} rows read, ${d.duplicates} repeated pairs), ${d.users} users, ${d.items} items, scale ${d.scale.min}–${d.scale.max}`,
    ],
  ];
  if (m.cv) {
    const { mean, std, folds } = m.cv;
    pairs.push(['Cross-validation', `${folds.length} folds: RMSE ${f(mean.rmse)} ± ${f(std.rmse)}, MAE ${f(mean.mae)} ± ${f(std.mae)}`]);
    pairs.push(['By fold (RMSE)', folds.map((x) => f(x.rmse)).join('  ')]);
    const r = m.cv.ranking;
    if (r) {
      const line = (x: RankingFigures) => `NDCG ${f(x.ndcg)}, P ${f(x.precision)}, MAP ${f(x.map)}`;
      pairs.push([`Top-${r.k} ranking`, `${line(r.model)}; popularity ${line(r.popularity)}; random ${line(r.random)}`]);
    }
  }
  const rmse = m.fullFit.trainRmse;
  const trend = rmse.length > 0 ? `; training RMSE ${f(rmse[0])} → ${f(rmse[rmse.length - 1])} over ${rmse.length} epochs` : '';
  const parallel = m.fullFit.parallel ? `, ${m.fullFit.parallel.toUpperCase()} on ${m.fullFit.workers} workers` : '';
  pairs.push(['Full fit', `${formatDuration(m.fullFit.seconds)} (${m.kernels} kernels${parallel})${trend}`]);
  pairs.push(['Top-N', `top ${m.topN.n} for ${m.topN.users} users in ${formatDuration(m.topN.seconds)}; ${m.rowsWritten} rows written`]);
  const p = m.phases;
  pairs.push([
    'Phases',
    `queued ${formatDuration(p.queuedSeconds)}, downloading ${formatDuration(p.downloadingSeconds)}, training ${formatDuration(p.trainingSeconds)}, ` +
      `uploading ${formatDuration(p.uploadingSeconds)}; total ${formatDuration(p.totalSeconds)}`,
  ]);
  return indent(labelled(pairs));
}

/** `cv 3/5, fit 12/20` */
export function progressText(progress: NonNullable<TrainingJob['progress']>): string {
  return Object.entries(progress)
    .map(([phase, p]) => `${phase} ${p.done}/${p.total}`)
    .join(', ');
}

const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ');
