/**
 * Latency of `select * from ratings limit 10`: in-process Engine.execute beside the same statement
 * through a running `recpipe server` over loopback (HttpSqlClient, keep-alive). Goal: ≤ 5 ms median.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpSqlClient } from '../src/client/index.js';
import { Engine } from '../src/engine/index.js';
import { hasSharedData, mlSmall, sharedDataSkip } from '../tests/support/shared-data.js';
import { readOwnerToken } from '../src/auth/index.js';
import { withServer } from './support/server-child.js';

const RUNS = 2000;
const WARMUP = 200;
const CONCURRENT = 4;
const GOAL_MEDIAN_MS = 5;
const QUERY = 'select * from ratings limit 10';

interface Stats {
  median: number;
  p99: number;
  mean: number;
}

async function time(run: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < WARMUP; i++) await run();
  const ms = new Float64Array(RUNS);
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    ms[i] = performance.now() - t0;
  }
  ms.sort();
  return { median: ms[RUNS >> 1], p99: ms[Math.floor(RUNS * 0.99)], mean: ms.reduce((a, b) => a + b, 0) / RUNS };
}

/** The guide's setup: database, file format, ratings table, COPY of ml-latest-small. */
async function loadRatings(home: string): Promise<number> {
  const engine = await Engine.open({ home });
  try {
    const s = engine.createSession();
    await engine.execute(
      s,
      `create database movielens; use schema movielens.public;
       create file format movielens type = csv skip_header = 1 field_optionally_enclosed_by = '"';
       create table ratings (userid int, movieid int, rating float, timestamp int);
       copy into ratings from 'file://${mlSmall('ratings.csv').replace(/'/g, "''")}' file_format = (format_name = movielens);`,
    );
    const [count] = await engine.execute(s, 'select count(*) from ratings');
    return Number(count.rows[0][0]);
  } finally {
    await engine.close();
  }
}

async function inProcess(home: string): Promise<Stats> {
  const engine = await Engine.open({ home });
  try {
    const s = engine.createSession({ database: 'movielens', schema: 'public' });
    return await time(() => engine.execute(s, QUERY));
  } finally {
    await engine.close();
  }
}

async function overHttp(url: string, key?: string): Promise<{ seq: Stats; rps: number }> {
  const client = await HttpSqlClient.open(url, { database: 'movielens', schema: 'public' }, key);
  const seq = await time(() => client.execute(QUERY));
  const clients = await Promise.all(
    Array.from({ length: CONCURRENT }, () => HttpSqlClient.open(url, { database: 'movielens', schema: 'public' }, key)),
  );
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < RUNS / CONCURRENT; i++) await c.execute(QUERY);
    }),
  );
  return { seq, rps: RUNS / ((performance.now() - t0) / 1000) };
}

async function main(): Promise<void> {
  if (!hasSharedData) {
    console.log(`skipped: ${sharedDataSkip}`);
    return;
  }
  const home = mkdtempSync(join(tmpdir(), 'recpipe-bench-'));
  try {
    const rows = await loadRatings(home);
    const local = await inProcess(home);
    // The server writes the home's owner token; the bench, run by the home's owner, presents it as the CLI does.
    const remote = await withServer(home, (url) => overHttp(url, readOwnerToken(home) ?? undefined));
    const f = (ms: number) => `${ms.toFixed(3).padStart(8)} ms`;
    console.log(`${QUERY}  (ml-latest-small, ${rows.toLocaleString('en-US')} ratings; ${RUNS} runs after ${WARMUP} warm-up)\n`);
    console.log(`${''.padEnd(44)}${'median'.padStart(11)}${'p99'.padStart(11)}${'mean'.padStart(11)}`);
    console.log(`${'in-process Engine.execute'.padEnd(44)}${f(local.median)}${f(local.p99)}${f(local.mean)}`);
    console.log(`${'HTTP: recpipe server over loopback'.padEnd(44)}${f(remote.seq.median)}${f(remote.seq.p99)}${f(remote.seq.mean)}`);
    console.log(`${'HTTP overhead (median)'.padEnd(44)}${f(remote.seq.median - local.median)}`);
    console.log(`\ngoal: HTTP median ≤ ${GOAL_MEDIAN_MS} ms — ${remote.seq.median <= GOAL_MEDIAN_MS ? 'met' : 'NOT met'}`);
    console.log(`throughput, ${CONCURRENT} sessions in parallel over HTTP: ${Math.round(remote.rps).toLocaleString('en-US')} statements/s`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
