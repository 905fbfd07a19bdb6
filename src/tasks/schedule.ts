import { Cron } from 'croner';
import { invalid } from '../core/errors.js';

/**
 * A task's SCHEDULE: Snowflake's `'<n> SECONDS|MINUTES|HOURS'` (singular and M/H abbreviations
 * too) or `'USING CRON <5 or 6 fields> <IANA time zone>'`. Croner only computes the next time;
 * the scheduler owns its one timer, so no croner job keeps the process alive.
 */
export interface Schedule {
  /** The text as the user wrote it (SHOW TASKS shows it back). */
  readonly text: string;
  /** The first scheduled time strictly after `after` (epoch ms). */
  next(after: number): number;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  S: 1000,
  SECOND: 1000,
  SECONDS: 1000,
  M: 60_000,
  MINUTE: 60_000,
  MINUTES: 60_000,
  H: 3_600_000,
  HOUR: 3_600_000,
  HOURS: 3_600_000,
};

export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  const interval = /^(\d+)\s*([A-Za-z]+)$/.exec(trimmed);
  if (interval) {
    const ms = UNIT_MS[interval[2].toUpperCase()];
    const n = Number(interval[1]);
    if (ms === undefined || n < 1) throw badSchedule(text);
    const every = n * ms;
    return { text: trimmed, next: (after) => after + every };
  }
  const cron = /^USING\s+CRON\s+(.+?)\s+(\S+)$/i.exec(trimmed);
  if (!cron) throw badSchedule(text);
  const [, expr, zone] = cron;
  const fields = expr.split(/\s+/).length;
  if (fields !== 5 && fields !== 6)
    throw badSchedule(
      text,
      `the cron expression '${expr}' has ${fields} fields; expected 5 (minute hour day month weekday) or 6 (with seconds first)`,
    );
  let job: Cron;
  try {
    job = new Cron(expr, { timezone: zone, paused: true });
    job.nextRun(new Date(0));
  } catch (e) {
    throw badSchedule(text, e instanceof Error ? e.message : String(e));
  }
  return {
    text: trimmed,
    next(after) {
      const at = job.nextRun(new Date(after));
      if (at === null) throw invalid(`schedule '${trimmed}' has no run after ${new Date(after).toISOString()}`);
      return at.getTime();
    },
  };
}

function badSchedule(text: string, why?: string): Error {
  return invalid(
    `SQL compilation error: invalid value '${text}' for property 'SCHEDULE'${why ? `: ${why}` : ''}; expected '<n> SECONDS|MINUTES|HOURS' or 'USING CRON <expr> <time zone>' (e.g. 'USING CRON 0 9 * * MON Europe/Berlin')`,
  );
}
