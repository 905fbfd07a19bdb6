/**
 * 50 sessions writing at once over HTTP (CTAS replacing one shared table, inserts into another, a
 * CTAS of their own), through a real `recpipe server`. Goal: 0 errors (DuckDB alone fails the later
 * of two writers of a table with "write-write conflict"; recpipe queues writers as Snowflake does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOwnerToken } from '../src/auth/index.js';
import { HttpSqlClient } from '../src/client/index.js';
import { Engine } from '../src/engine/index.js';
import { withServer } from './support/server-child.js';

const SESSIONS = 50;
const ROUNDS = 3;

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-bench-'));
  try {
    const engine = await Engine.open({ home });
    await engine.execute(engine.createSession(), 'create database w; create table shared (i int)');
    await engine.close();
    await withServer(home, async (url) => {
      const key = readOwnerToken(home) ?? undefined;
      const clients = await Promise.all(
        Array.from({ length: SESSIONS }, () => HttpSqlClient.open(url, { database: 'w', schema: 'public' }, key)),
      );
      const errors: string[] = [];
      const ms: number[] = [];
      const t0 = performance.now();
      await Promise.all(
        clients.map(async (c, k) => {
          for (let r = 0; r < ROUNDS; r++) {
            for (const sql of [
              `create or replace table same as select ${k} as i, ${r} as r`,
              `insert into shared values (${k * ROUNDS + r})`,
              `create or replace table own_${k} as select * from shared where i % ${SESSIONS} = ${k}`,
            ]) {
              const s0 = performance.now();
              await c.execute(sql).catch((e: Error) => errors.push(e.message.split('\n')[0]));
              ms.push(performance.now() - s0);
            }
          }
        }),
      );
      const wall = (performance.now() - t0) / 1000;
      const check = await clients[0].execute('select count(*) from shared');
      ms.sort((a, b) => a - b);
      const statements = SESSIONS * ROUNDS * 3;
      console.log(`${SESSIONS} sessions × ${ROUNDS} rounds × 3 writes over HTTP = ${statements} statements in ${wall.toFixed(1)} s`);
      console.log(
        `latency per statement: median ${ms[ms.length >> 1].toFixed(0)} ms, p95 ${ms[Math.floor(ms.length * 0.95)].toFixed(0)} ms`,
      );
      console.log(`rows inserted: ${JSON.stringify(check.results.at(-1)?.rows)} (expected ${SESSIONS * ROUNDS})`);
      console.log(`errors: ${errors.length} (goal: 0)${errors.length ? `, e.g. ${errors[0]}` : ''}`);
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
