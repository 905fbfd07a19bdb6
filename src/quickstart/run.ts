import type { Engine, Session, StatementResult } from '../engine/index.js';
import { formatTable } from '../client/index.js';
import { AFTER_AUTOMATION_SQL, AUTOMATION_SQL, INVOKE_SQL, labOneSql, NO_RATINGS_SQL, TASK_HISTORY_SQL, TRAIN_SQL } from './guide.js';

export const ENDPOINT = 'movielens-model-v1';

export interface QuickstartOutput {
  /** Statement echoes, results and narrative (stdout). */
  out(text: string): void;
  /** Progress and timings (stderr). */
  info(text: string): void;
}

export interface QuickstartSummary {
  readonly jobName: string;
  readonly meanRmse: number | null;
  readonly recommendationRows: number;
  readonly predictions: number;
  readonly seconds: number;
}

/**
 * Plays the guide on an engine: Lab 1 (database, tables, file format, loads), Lab 4's training job
 * (its log streams as it runs), ten users' recommendations with titles, the endpoint, and the
 * guide's invoke_model query.
 */
export async function playGuide(engine: Engine, dataDir: string, io: QuickstartOutput): Promise<QuickstartSummary> {
  const t0 = performance.now();
  const s = engine.createSession();
  const run = async (sql: string, show = true): Promise<StatementResult> => {
    io.out(`\n${sql};`);
    const [r] = await engine.execute(s, sql);
    if (show) io.out(formatTable(r));
    return r;
  };

  io.out('-- Lab 1: the MOVIELENS database, loaded through the MOVIELENS file format');
  for (const sql of labOneSql(dataDir)) await run(sql, !sql.startsWith('create or replace table') && !sql.startsWith('use '));

  io.out("\n-- Lab 4: train SVD with 5-fold cross-validation and write every user's top 10");
  const started = (await run(TRAIN_SQL, false)).rows[0][0] as { TrainingJobName: string };
  const jobName = started.TrainingJobName;
  io.out(`training job ${jobName} started`);
  const onLog = (name: string, line: string) => name === jobName && io.out(line.replace(/^/gm, '  '));
  engine.jobs.on('log', onLog);
  const job = await engine.jobs.wait(jobName).finally(() => engine.jobs.off('log', onLog));
  if (job.status !== 'Completed')
    throw new Error(`training job ${jobName} ended ${job.status}: ${job.failureReason ?? job.stopReason ?? ''}`);

  const recs = await run('select * from user_movie_recommendations limit 10', false);
  await showTitles(engine, s, recs, io);

  io.out('\n-- Deploy the model as a real-time endpoint and call it from SQL');
  await run(`select deploy_model('${ENDPOINT}', '${jobName}') as endpoint`, false);
  const ready = await engine.endpoints.waitFor(ENDPOINT, 'InService', 60_000);
  io.out(`endpoint ${ENDPOINT} is ${ready.status}`);
  for (const sql of NO_RATINGS_SQL) await run(sql, false);
  const predicted = await run(INVOKE_SQL);
  const total = (await engine.execute(s, 'select count(*) from user_movie_recommendations'))[0].rows[0][0] as number;

  io.out(
    '\n-- Automate: a stream on RATINGS; a task that, when new ratings arrived, adds them to the training data, retrains and deploys only a model better on the held-out ratings; then the ratings kept back arrive (the task is run once now)',
  );
  for (const sql of AUTOMATION_SQL) await run(sql, sql.startsWith('select'));
  await engine.tasks.idle();
  await run(TASK_HISTORY_SQL);
  for (const sql of AFTER_AUTOMATION_SQL) await run(sql);
  return {
    jobName,
    meanRmse: job.metrics?.cv?.mean.rmse ?? null,
    recommendationRows: total,
    predictions: predicted.rows.length,
    seconds: (performance.now() - t0) / 1000,
  };
}

async function showTitles(engine: Engine, s: Session, recs: StatementResult, io: QuickstartOutput): Promise<void> {
  const ids = [...new Set(recs.rows.flatMap((row) => (row[1] as number[]).slice(0, 3)))];
  const titles = new Map<number, string>();
  if (ids.length > 0) {
    const [r] = await engine.execute(s, `select movieid, title from movies where movieid in (${ids.map(() => '?').join(', ')})`, ids);
    for (const [id, title] of r.rows as [number, string][]) titles.set(id, title);
  }
  io.out('\nTop 3 of the 10 recommendations of the first ten users:');
  for (const [user, items] of recs.rows as [number, number[]][]) {
    io.out(
      `  user ${String(user).padStart(3)}: ${items
        .slice(0, 3)
        .map((i) => titles.get(i) ?? `movie ${i}`)
        .join(' · ')}`,
    );
  }
}
