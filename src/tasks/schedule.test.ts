import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSchedule } from './schedule.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('parseSchedule', () => {
  it('takes intervals in seconds, minutes and hours', () => {
    assert.equal(parseSchedule('30 SECONDS').next(0), 30_000);
    assert.equal(parseSchedule('5 minute').next(1000), 301_000);
    assert.equal(parseSchedule('2 HOURS').next(0), 7_200_000);
    assert.equal(parseSchedule('1 M').next(0), 60_000);
  });

  it('follows cron in a time zone across daylight-saving changes', () => {
    const daily = parseSchedule('USING CRON 30 9 * * * Europe/Berlin');
    // 09:30 CET is 08:30Z in winter, 09:30 CEST is 07:30Z after the spring change on 2026-03-29.
    assert.equal(iso(daily.next(at('2026-03-28T00:00:00Z'))), '2026-03-28T08:30:00.000Z');
    assert.equal(iso(daily.next(at('2026-03-28T09:00:00Z'))), '2026-03-29T07:30:00.000Z');
    const weekly = parseSchedule('USING CRON 0 9 * * SUN America/Los_Angeles');
    assert.equal(iso(weekly.next(at('2026-12-01T00:00:00Z'))), '2026-12-06T17:00:00.000Z');
    // 02:30 does not exist in Berlin on the spring-forward day; the run moves to the next valid minute.
    const gap = parseSchedule('USING CRON 30 2 * * * Europe/Berlin');
    assert.equal(iso(gap.next(at('2026-03-28T12:00:00Z'))), '2026-03-29T01:00:00.000Z');
    // In autumn 02:30 happens twice; the task runs once.
    const autumn = parseSchedule('USING CRON 30 2 * * * Europe/Berlin');
    const first = autumn.next(at('2026-10-24T12:00:00Z'));
    assert.equal(iso(first), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(autumn.next(first)), '2026-10-26T01:30:00.000Z');
  });

  it('refuses bad schedules with a message naming the value', () => {
    assert.throws(() => parseSchedule('5 DAYS'), /invalid value '5 DAYS' for property 'SCHEDULE'/);
    assert.throws(() => parseSchedule('USING CRON 0 9 * * Mars/Olympus'), /Mars\/Olympus|time ?zone|SCHEDULE/i);
    assert.throws(() => parseSchedule('USING CRON 0 9 * UTC'), /has 3 fields/);
    assert.throws(() => parseSchedule('0 MINUTES'), /SCHEDULE/);
  });
});
