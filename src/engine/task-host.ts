import { randomUUID } from 'node:crypto';
import { RecpipeError } from '../core/index.js';
import type { JobManager } from '../jobs/index.js';
import { scriptSteps, type Session, type SqlExecutor } from '../sql/index.js';
import type { TaskHost } from '../tasks/index.js';
import type { Deployments } from './deployments.js';
import { stoppingOnAbort } from './job-waits.js';

/**
 * How task runs reach the rest of recpipe: bodies run through the same SqlExecutor as users'
 * statements, in a fresh session with the owner role and the task's database and schema current;
 * a body that started training jobs with `"wait": true` ends when they end, so AFTER children see
 * their results.
 */
export function taskHost(executor: () => SqlExecutor, jobs: JobManager, deployments: Deployments): TaskHost {
  return {
    execute(task, sql, signal) {
      const session: Session = {
        id: randomUUID(),
        role: task.owner,
        database: task.database,
        schema: task.schema,
        warehouse: task.warehouse,
      };
      return executor().execute(session, sql, [], signal);
    },
    settle(results, signal) {
      const names = results.flatMap((r) => [...scriptSteps(r), r]).flatMap((r) => r.rows.flatMap((row) => row.flatMap(waitedJob)));
      return stoppingOnAbort(jobs, names, signal, () => summarise(names));
    },
  };

  async function summarise(names: readonly string[]): Promise<string | null> {
    const summary: string[] = [];
    for (const name of names) {
      const job = await jobs.wait(name);
      if (job.status !== 'Completed') {
        throw new RecpipeError(
          'FAILED_PRECONDITION',
          `training job ${name} ended ${job.status}${job.failureReason ? `: ${job.failureReason}` : ''}`,
        );
      }
      const decision = await deployments.decided(name);
      summary.push(
        `${name} Completed${decision ? `; ${decision.endpoint}: ${decision.deployed ? 'deployed' : 'not deployed'} (${decision.reason})` : ''}`,
      );
    }
    return summary.length === 0 ? null : `training job ${summary.join(', ')}`;
  }
}

/** The job a result value names when it is a training descriptor started with "wait": true. */
function waitedJob(value: unknown): string[] {
  let v = value;
  if (typeof v === 'string' && v.startsWith('{')) {
    try {
      v = JSON.parse(v);
    } catch {
      return [];
    }
  }
  if (typeof v !== 'object' || v === null) return [];
  const d = v as { TrainingJobName?: unknown; Wait?: unknown };
  return d.Wait === true && typeof d.TrainingJobName === 'string' ? [d.TrainingJobName] : [];
}
