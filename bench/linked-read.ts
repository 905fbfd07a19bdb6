/**
 * Lab 3 linked mode: the ML side reads a training table through the warehouse's statements API
 * (WarehouseLink, as a service started with --warehouse-url does) and writes the recommendations
 * back in one transaction. The warehouse is a recpipe server on loopback in this process (so its
 * serving and the reader share one thread: a conservative figure). Prints figures beside the goal.
 *   node dist/bench/linked-read.js [rows]
 */
import { RatingsBuilder } from '../src/core/index.js';
import { Engine } from '../src/engine/index.js';
import { WarehouseLink } from '../src/external/index.js';
import { startServer } from '../src/service/index.js';
import { ownerKey } from '../tests/support/auth.js';
import { tempDir } from '../tests/support/temp-engine.js';
import { median, printGoalTable } from './support/stats.js';

const ROWS = Number(process.argv[2] ?? 600_000);
const USERS = Math.ceil(ROWS / 100);
const RUNS = Number(process.env.RUNS ?? 3);

const tmp = tempDir();
const engine = await Engine.open({ home: tmp.dir });
const server = await startServer(engine, { home: tmp.dir, host: '127.0.0.1', port: 0 });
try {
  await engine.execute(
    engine.createSession(),
    `create database wh; create table ratings (USERID number(38,0), MOVIEID number(38,0), RATING float);
     insert into ratings select floor(i / 100) + 1, (i % 100) * 90 + floor(i / 100) % 90 + 1, (i % 10) / 2.0 + 0.5 from range(${ROWS}) t(i)`,
  );
  const tables = new WarehouseLink(server.url, () => ownerKey(tmp.dir)).source({ database: 'WH', schema: 'PUBLIC' }).tables;
  const table = { database: 'WH', schema: 'PUBLIC', name: 'RATINGS' };
  const columns = { user: 'USERID', item: 'MOVIEID', rating: 'RATING', userAs: 'number', itemAs: 'number' } as const;
  const reads: number[] = [];
  const readCpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const { dataset } = (await tables.readRatings(table, columns, () => new RatingsBuilder({ expectedRows: ROWS }))).finish('ratings');
    reads.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    readCpu.push((c.user + c.system) / 1000);
    if (dataset.size !== ROWS) throw new Error(`read ${dataset.size} rows, expected ${ROWS}`);
  }
  const users = Float64Array.from({ length: USERS }, (_, i) => i + 1);
  const lists = Array.from({ length: USERS }, (_, i) => JSON.stringify(Array.from({ length: 10 }, (_, k) => (i * 31 + k) % 9000)));
  const writes: number[] = [];
  const writeCpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await tables.writeTable({ ...table, name: 'RECS' }, [
      { name: 'USERID', type: 'DOUBLE', values: users },
      { name: 'TOP_10_RECOMMENDATIONS', type: 'JSON', values: lists },
    ]);
    writes.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    writeCpu.push((c.user + c.system) / 1000);
  }
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `linked warehouse on loopback, ${ROWS} ratings of ${USERS} users, median of ${RUNS} (min–max); CPU is both sides' (one process)`,
  );
  printGoalTable(
    [
      [`read ${ROWS} ratings`, `${s(median(reads))} (${s(Math.min(...reads))}–${s(Math.max(...reads))})`, 'a few seconds'],
      [`  its CPU time`, s(median(readCpu)), ''],
      [`write ${USERS} users' top 10`, `${s(median(writes))} (${s(Math.min(...writes))}–${s(Math.max(...writes))})`, 'one transaction'],
      [`  its CPU time`, s(median(writeCpu)), ''],
    ],
    [28, 16],
  );
} finally {
  await server.close();
  await engine.close();
  tmp.remove();
}
