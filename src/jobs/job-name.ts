import { randomBytes } from 'node:crypto';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `train-20240131-154502-9f3a`: the UTC start second plus 16 random bits, retried until unused. */
export function newJobName(now: Date, taken: (name: string) => boolean): string {
  const stamp =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  for (;;) {
    const name = `train-${stamp}-${randomBytes(2).toString('hex')}`;
    if (!taken(name)) return name;
  }
}

/** Job names double as directory names, so only this exact shape is accepted from callers. */
export const JOB_NAME_PATTERN = /^train-\d{8}-\d{6}-[0-9a-f]{4}$/;
