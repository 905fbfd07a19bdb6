/**
 * Streams beside the goal of issue 12 (change tracking must cost little on inserts), in one run:
 *  1. COPY INTO of 100,000 rows into a table with a stream on it against the same into a table without
 *     (median of 5 loads each, alternating); goal: the tracked load costs about the same;
 *  2. what tracking costs instead, on the reading side: counting the stream's change set and consuming
 *     it (INSERT … SELECT FROM the stream, which moves the offset), for 100,000 new rows on a table of
 *     100,000 and of 1,000,000.
 * Run: npm run bench:streams
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.js';

const ROWS = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-streams-'));
const csv = join(dir, 'ratings.csv');
writeFileSync(
  csv,
  `userid,movieid,rating,timestamp\n${Array.from({ length: ROWS }, (_, i) => `${i % 610},${(i * 7) % 9742},${1 + (i % 5)},${1_500_000_000 + i}`).join('\n')}\n`,
);
const e = await Engine.open({ home: join(dir, 'home') });
const s = e.createSession();
const timed = async (sql: string): Promise<number> => {
  const t0 = performance.now();
  await e.execute(s, sql);
  return performance.now() - t0;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const copy = (table: string) => `copy into ${table} from 'file://${csv}' file_format = (type = csv skip_header = 1) force = true`;

try {
  console.log(
    `bench:streams — load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (a shared 2-core machine: expect noise)`,
  );
  await e.execute(
    s,
    `create database bench;
     create table plain (userid int, movieid int, rating float, timestamp int);
     create table tracked (userid int, movieid int, rating float, timestamp int);
     create table sink (userid int, movieid int, rating float, timestamp int);
     create stream tracked_changes on table tracked`,
  );
  const plain: number[] = [];
  const tracked: number[] = [];
  for (let i = 0; i < 5; i++) {
    await e.execute(s, 'truncate table plain; truncate table tracked');
    plain.push(await timed(copy('plain')));
    tracked.push(await timed(copy('tracked')));
  }
  const [p, t] = [median(plain), median(tracked)];
  console.log(
    `1. COPY INTO ${ROWS.toLocaleString()} rows: untracked ${p.toFixed(0)} ms, tracked (stream on the table) ${t.toFixed(0)} ms → ${(((t - p) / p) * 100).toFixed(1)}%   goal: little extra cost`,
  );

  for (const base of [100_000, 1_000_000]) {
    await e.execute(
      s,
      `create or replace table big (userid int, movieid int, rating float, timestamp int);
       insert into big select i % 610, i % 9742, 1 + i % 5, i from range(${base}) t(i);
       create or replace stream big_changes on table big`,
    );
    await e.execute(s, copy('big'));
    const count = await timed('select count(*) from big_changes');
    const consume = await timed('insert into sink select userid, movieid, rating, timestamp from big_changes');
    const [r] = await e.execute(s, 'select count(*) from big_changes');
    console.log(
      `2. table of ${base.toLocaleString()} + ${ROWS.toLocaleString()} new rows: count the change set ${count.toFixed(0)} ms, consume it ${consume.toFixed(0)} ms (left after: ${r.rows[0][0]})`,
    );
  }
} finally {
  await e.close();
  rmSync(dir, { recursive: true, force: true });
}
