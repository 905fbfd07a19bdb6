/**
 * snowflake-sdk against `recpipe server` over loopback: `select * from ratings limit 10` round trips
 * (goal ≤ 5 ms median) beside the same statement through recpipe's own /api/v1 client, a
 * 100,000-row result (goal ≤ 0.5 s), which arrives mostly in chunks the driver downloads in parallel,
 * with the CPU the server and the driver spend on it, and PUT/GET of a ratings CSV through the driver.
 * "Before" is the same bench at c8f128a, measured on this 2-core machine under the same kind of load.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpSqlClient } from '../src/client/index.js';
import { connectDriver } from '../tests/support/snowflake-driver.js';
import { readOwnerToken } from '../src/auth/index.js';
import { BENCH_PASSWORD, BENCH_USER, withSnowflakeServer } from './support/snowflake-home.js';
import { median, percentile } from './support/stats.js';
import { driverConversion } from './support/driver-conversion.js';

const RUNS = 1000;
/** Runs of RUNS round trips each: a median is claimed from all of them, never from one lucky run. */
const SMALL_REPEATS = 3;
const WARMUP = 100;
const BIG_RUNS = 5;
const QUERY = 'select * from ratings limit 10';
const BIG_ROWS = 100_000;
const BIG = `select * from ratings limit ${BIG_ROWS}`;
/** Runs of each 100,000-row shape below (each is one more result through the driver). */
const SHAPE_RUNS = 3;
/** A table of every kind of column the driver converts differently, as the all-types result. */
const ALL_TYPES = `create or replace table alltypes as
  select range as id, cast((range % 100000) / 100 as number(10,2)) as amount, range / 3.0 as ratio, 'user_' || range as label,
         range % 2 = 0 as flag, dateadd(day, range % 3650, '2000-01-01'::date) as day, '12:34:56'::time as at,
         dateadd(second, range, '2000-01-01'::timestamp_ntz) as ts, object_construct('k', range) as obj
  from range(${BIG_ROWS})`;
/** The 100,000-row result by the types of its columns: what the driver's conversion of each costs. */
const SHAPES: readonly [string, string][] = [
  ['numbers only (2 × NUMBER, FLOAT)', `select userid, movieid, rating from ratings limit ${BIG_ROWS}`],
  ['TIMESTAMP_NTZ only', `select timestamp from ratings limit ${BIG_ROWS}`],
  ['all types (NUMBER, NUMBER(10,2), FLOAT, VARCHAR, BOOLEAN, DATE, TIME, TIMESTAMP_NTZ, VARIANT)', 'select * from alltypes'],
];

/** c8f128a, `npm run bench:driver` and the same measures by hand, load average 14–20 on 2 cores. */
const BEFORE = {
  smallMedian: '13.8–22.9 ms',
  bigMedian: '12.8–17.5 s',
  serverCpu: '1.18–1.47 s',
  driverCpu: '2.2–2.9 s',
  putGet: 'not supported',
  bindStage: 'not supported',
};

async function timed(runs: number, run: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** CPU seconds (all threads) a process has used, from /proc; null where there is no /proc. */
function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const load = loadavg()[0];
await withSnowflakeServer(async (server, home) => {
  const driver = await connectDriver(server.url, BENCH_USER, BENCH_PASSWORD, { database: 'movielens', schema: 'public' });
  const api = await HttpSqlClient.open(server.url, { database: 'movielens', schema: 'public' }, readOwnerToken(home) ?? undefined);
  await timed(WARMUP, () => driver.execute(QUERY));
  await timed(WARMUP, () => api.execute(QUERY));
  /** Each run of RUNS round trips: its median, the load at its end, and the server's and the driver's CPU per query. */
  const smallRuns = [];
  const viaDriver: number[] = [];
  for (let i = 0; i < SMALL_REPEATS; i++) {
    const s0 = cpuSecondsOf(server.child.pid);
    const c0 = process.cpuUsage();
    const ms = await timed(RUNS, () => driver.execute(QUERY));
    const c = process.cpuUsage(c0);
    const s1 = cpuSecondsOf(server.child.pid);
    viaDriver.push(...ms);
    smallRuns.push({
      median: median(ms),
      load: loadavg()[0],
      serverMs: s0 !== null && s1 !== null ? ((s1 - s0) * 1000) / RUNS : null,
      driverMs: (c.user + c.system) / 1000 / RUNS,
    });
  }
  const viaApi = await timed(RUNS, () => api.execute(QUERY));

  /** Wall times of `runs` fetches of `sql`, and the CPU the server and the driver spent on each. */
  const fetchBig = async (sql: string, runs: number) => {
    let rows = 0;
    const serverCpu: number[] = [];
    const driverCpu: number[] = [];
    const wall = await timed(runs, async () => {
      const s0 = cpuSecondsOf(server.child.pid);
      const c0 = process.cpuUsage();
      rows = (await driver.execute(sql)).rows.length;
      const c = process.cpuUsage(c0);
      driverCpu.push((c.user + c.system) / 1e6);
      const s1 = cpuSecondsOf(server.child.pid);
      if (s0 !== null && s1 !== null) serverCpu.push(s1 - s0);
    });
    return { rows, wall, serverCpu, driverCpu };
  };
  const ratings = await fetchBig(BIG, BIG_RUNS);
  const { rows, serverCpu, driverCpu } = ratings;
  const big = ratings.wall;
  await driver.execute(ALL_TYPES);
  const shapes = [];
  for (const [name, sql] of SHAPES) shapes.push({ name, ...(await fetchBig(sql, SHAPE_RUNS)) });
  const bigApi = await timed(BIG_RUNS, () => api.execute(BIG));
  // The driver's own per-value conversion of each column, as recpipe encodes it, apart from HTTP and JSON.
  const conversions = driverConversion((await api.execute('select * from alltypes')).results[0]);

  // PUT a ratings CSV of the 100,836 rows as the driver does (gzip on), then GET it back.
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-sf-bench-files-'));
  let putMs: number[] = [];
  let getMs: number[] = [];
  let identical = false;
  try {
    const csv = join(dir, 'ratings.csv');
    const all = await api.execute('select * from ratings');
    writeFileSync(csv, `userid,movieid,rating,timestamp\n${all.results[0].rows.map((r) => r.join(',')).join('\n')}\n`);
    putMs = await timed(3, () => driver.execute(`PUT file://${csv} @~/bench AUTO_COMPRESS = FALSE OVERWRITE = TRUE`));
    const out = join(dir, 'out');
    mkdirSync(out);
    getMs = await timed(3, () => driver.execute(`GET @~/bench/ratings.csv file://${out}/`));
    identical = readFileSync(join(out, 'ratings.csv')).equals(readFileSync(csv));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // 100,000 rows of array binds: above 65,280 values the driver uploads them to its bind stage (bindStage).
  await driver.execute('create or replace table bound (userid int, movieid int, rating float, ts timestamp_ntz)');
  const binds = Array.from({ length: BIG_ROWS }, (_, i) => [i % 610, (i * 7919) % 9742, ((i % 10) + 1) / 2, '2000-01-01 00:00:00']);
  const bindCpu: number[] = [];
  const bindMs = await timed(BIG_RUNS, async () => {
    const c0 = process.cpuUsage();
    await driver.execute('truncate table bound');
    await driver.execute('insert into bound values (?, ?, ?, ?)', binds);
    const c = process.cpuUsage(c0);
    bindCpu.push((c.user + c.system) / 1e6);
  });
  const bound = Number((await driver.execute('select count(*) as n from bound')).rows[0].N);
  await driver.destroy();

  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const s = (x: number) => `${x.toFixed(3)} s`;
  console.log(
    `snowflake-sdk → recpipe server (loopback, load average ${load.toFixed(1)} at the start; ${RUNS} runs after ${WARMUP} warm-up; ${BIG_RUNS} runs of the ${rows.toLocaleString('en-US')}-row result)\n`,
  );
  const table: [string, string, string, string][] = [
    [`${QUERY}: snowflake-sdk median (all ${SMALL_REPEATS} runs)`, BEFORE.smallMedian, ms(median(viaDriver)), '≤ 5 ms'],
    ...smallRuns.map((r, i): [string, string, string, string] => [
      `  run ${i + 1} of ${RUNS}: median; server / driver CPU per query; load after`,
      '',
      `${ms(r.median)}; ${r.serverMs === null ? 'n/a' : ms(r.serverMs)} / ${ms(r.driverMs)}; ${r.load.toFixed(1)}`,
      '',
    ]),
    [`${QUERY}: snowflake-sdk p99`, '', ms(percentile(viaDriver, 99)), ''],
    [`${QUERY}: /api/v1 (HttpSqlClient) median`, '', ms(median(viaApi)), 'reference'],
    ['100,000 rows: snowflake-sdk median (JSON chunks)', BEFORE.bigMedian, s(median(big) / 1000), '≤ 0.5 s'],
    ['100,000 rows: snowflake-sdk fastest', '', s(Math.min(...big) / 1000), ''],
    ['  server CPU per result (all threads, median)', BEFORE.serverCpu, serverCpu.length > 0 ? s(median(serverCpu)) : 'n/a', ''],
    ['  driver CPU per result (its JSON parse and conversion)', BEFORE.driverCpu, s(median(driverCpu)), ''],
    ['100,000 rows: Arrow chunks', '', 'not served', 'snowflake-sdk 3.x reads JSON only'],
    ...shapes.flatMap((shape): [string, string, string, string][] => [
      [`100,000 rows, ${shape.name}: median`, '', s(median(shape.wall) / 1000), shape.rows === BIG_ROWS ? '≤ 0.5 s' : `${shape.rows} ROWS`],
      ['  server CPU / driver CPU per result (medians)', '', `${s(median(shape.serverCpu))} / ${s(median(shape.driverCpu))}`, ''],
    ]),
    ['100,000 rows: /api/v1 (HttpSqlClient) median', '', s(median(bigApi) / 1000), 'reference'],
    ...conversions.map((c): [string, string, string, string] => [
      `  driver's own conversion of 100,000 ${c.wireType}${c.scale === null ? '' : `(scale ${c.scale})`} values (${c.name})`,
      '',
      `${s(c.cpuSeconds)} CPU`,
      c.cpuSeconds > 0.5 ? 'alone over 0.5 s' : '',
    ]),
    ['INSERT of 100,000 array-bound rows (bindStage), median', BEFORE.bindStage, s(median(bindMs) / 1000), ''],
    ['  driver CPU per INSERT (its CSV of the binds)', '', s(median(bindCpu)), ''],
    ['PUT ratings.csv (100,836 rows) through the driver, median', BEFORE.putGet, ms(median(putMs)), ''],
    ['GET it back through the driver, median', BEFORE.putGet, `${ms(median(getMs))}${identical ? ', same bytes' : ', BYTES DIFFER'}`, ''],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...table.map((r) => r[i].length), ['measure', 'before (c8f128a)', 'now', 'goal'][i].length));
  const line = (r: readonly string[]) => [r[0].padEnd(w[0]), r[1].padStart(w[1]), r[2].padStart(w[2]), r[3].padStart(w[3])].join('  ');
  console.log(line(['measure', 'before (c8f128a)', 'now', 'goal']));
  for (const r of table) console.log(line(r));
  if (!identical || bound !== BIG_ROWS || shapes.some((shape) => shape.rows !== BIG_ROWS)) process.exitCode = 1;
});
