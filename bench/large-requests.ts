/**
 * Does memory return after large requests (issue 9 point 6)? A `recpipe server` child takes rounds
 * of the largest requests its limits allow — 1,900 INSERT statements of 2 KB each (~3.9 MB of SQL),
 * a query answering ~20 MB of rows, and an over-limit request it must refuse (413) — and its RSS
 * (from /proc) is read before, at the peak and after a short idle. Reference: the issue saw one
 * unauthenticated 200,000-statement request hold 350 MB for good; the goal is that RSS after idle
 * comes back near the level after the first round (no growth from round to round).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOwnerToken } from '../src/auth/index.js';
import { withServer } from './support/server-child.js';

const ROUNDS = 5;
const STATEMENTS = 1_900;
const LITERAL = 'x'.repeat(2_000);
const RESULT_ROWS = 20_000;
const MB = 1024 * 1024;

const rssOf = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? (Number(m[1]) * 1024) / MB : Number.NaN;
};

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-bench-'));
  try {
    await withServer(home, async (url, pid) => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${readOwnerToken(home)}` };
      const sql = async (text: string): Promise<number> => {
        const res = await fetch(`${url}/api/v1/statements`, { method: 'POST', headers, body: JSON.stringify({ sql: text }) });
        await res.arrayBuffer();
        return res.status;
      };
      await sql('create database big; create table big.public.t (v varchar); select 1');
      const start = rssOf(pid);
      const inserts = `insert into big.public.t values ('${LITERAL}');`.repeat(STATEMENTS);
      const tooMany = 'select 1;'.repeat(2_001);
      let peak = start;
      const afterRound: number[] = [];
      const t0 = performance.now();
      for (let round = 0; round < ROUNDS; round++) {
        const statuses = [
          await sql(inserts),
          await sql(`select repeat('y', 1000) as v from range(${RESULT_ROWS})`),
          await sql(tooMany),
          await sql('truncate table big.public.t'),
        ];
        if (statuses.join() !== '200,200,413,200') throw new Error(`unexpected statuses ${statuses.join()}`);
        peak = Math.max(peak, rssOf(pid));
        afterRound.push(rssOf(pid));
      }
      const seconds = (performance.now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 5_000));
      const idle = rssOf(pid);
      const f = (mb: number) => `${mb.toFixed(0).padStart(5)} MB`;
      console.log(
        `recpipe server RSS, ${ROUNDS} rounds of: ${STATEMENTS} INSERTs (${((inserts.length / MB) * 1).toFixed(1)} MB of SQL), a ${RESULT_ROWS}-row × 1 KB query, a 2,001-statement request (413)`,
      );
      console.log(`  after start-up and one small request ${f(start)}`);
      console.log(`  after each round                     ${afterRound.map((r) => r.toFixed(0)).join(', ')} MB`);
      console.log(`  peak                                 ${f(peak)}`);
      console.log(`  5 s after the last request           ${f(idle)}   (${seconds.toFixed(1)} s of requests)`);
      console.log(
        `reference (issue 9): one 200,000-statement request held 350 MB for good. goal: no growth across rounds (last round ≤ first + 10%): ${afterRound.at(-1)! <= afterRound[0] * 1.1 ? 'met' : 'NOT met'}`,
      );
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
