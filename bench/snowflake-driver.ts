/**
 * snowflake-sdk against `recpipe server` over loopback: `select * from ratings limit 10` round trips
 * (goal ≤ 5 ms median) beside the same statement through recpipe's own /api/v1 client, and a
 * 100,000-row result (goal ≤ 0.5 s), which arrives mostly in chunks the driver downloads in parallel.
 */
import { HttpSqlClient } from '../src/client/index.js';
import { connectDriver } from '../tests/support/snowflake-driver.js';
import { readOwnerToken } from '../src/auth/index.js';
import { BENCH_PASSWORD, BENCH_USER, withSnowflakeServer } from './support/snowflake-home.js';
import { median, percentile, printGoalTable } from './support/stats.js';

const RUNS = 1000;
const WARMUP = 100;
const BIG_RUNS = 7;
const QUERY = 'select * from ratings limit 10';
const BIG = 'select * from ratings limit 100000';

async function timed(runs: number, run: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return ms;
}

await withSnowflakeServer(async (server, home) => {
  const driver = await connectDriver(server.url, BENCH_USER, BENCH_PASSWORD, { database: 'movielens', schema: 'public' });
  const api = await HttpSqlClient.open(server.url, { database: 'movielens', schema: 'public' }, readOwnerToken(home) ?? undefined);
  await timed(WARMUP, () => driver.execute(QUERY));
  await timed(WARMUP, () => api.execute(QUERY));
  const viaDriver = await timed(RUNS, () => driver.execute(QUERY));
  const viaApi = await timed(RUNS, () => api.execute(QUERY));
  let rows = 0;
  const big = await timed(BIG_RUNS, async () => {
    rows = (await driver.execute(BIG)).rows.length;
  });
  const bigApi = await timed(BIG_RUNS, () => api.execute(BIG));
  await driver.destroy();
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const s = (x: number) => `${(x / 1000).toFixed(3)} s`;
  console.log(
    `snowflake-sdk → recpipe server (loopback, ${RUNS} runs after ${WARMUP} warm-up; ${BIG_RUNS} runs of the ${rows.toLocaleString('en-US')}-row result)\n`,
  );
  printGoalTable(
    [
      [`${QUERY}: snowflake-sdk median`, ms(median(viaDriver)), '≤ 5 ms'],
      [`${QUERY}: snowflake-sdk p99`, ms(percentile(viaDriver, 99)), ''],
      [`${QUERY}: /api/v1 (HttpSqlClient) median`, ms(median(viaApi)), 'reference'],
      ['100,000 rows: snowflake-sdk median', s(median(big)), '≤ 0.5 s'],
      ['100,000 rows: snowflake-sdk fastest', s(Math.min(...big)), ''],
      ['100,000 rows: /api/v1 (HttpSqlClient) median', s(median(bigApi)), 'reference'],
    ],
    [12, 10],
  );
});
