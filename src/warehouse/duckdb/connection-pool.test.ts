import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { openDuckDbWarehouse } from './duckdb-warehouse.js';

const WAREHOUSE = new URL('./duckdb-warehouse.js', import.meta.url).href;

/**
 * A child process opens a warehouse, starts a query that would run for hours, closes the warehouse
 * under it and exits. Closing a DuckDB connection under a running query deadlocks the query's
 * thread, and process exit then waits on that thread for ever — so the check is that the child ends.
 */
const CHILD = `
import { openDuckDbWarehouse } from ${JSON.stringify(WAREHOUSE)};
const wh = await openDuckDbWarehouse();
const endless = wh.withConnection((conn) =>
  conn.run('select count(*) from range(1000000) a, range(1000000) b where a.range + b.range = -1'),
);
const outcome = endless.then(() => 'finished', (e) => 'failed: ' + String(e.message ?? e).split('\\n')[0]);
await new Promise((r) => setTimeout(r, 400));
await wh.close();
console.log('closed');
console.log(await outcome);
process.exit(0);
`;

describe('DuckDB connection pool: closing under a running query', () => {
  it('interrupts the query, closes its connection once it returns, and the process exits', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
      assert.equal(signal, null, `the child had to be killed: it never exited (stdout: ${out}, stderr: ${err})`);
      assert.equal(code, 0, err);
      const [closed, outcome] = out.trim().split('\n');
      assert.equal(closed, 'closed');
      assert.match(outcome ?? '', /^failed: .*interrupt/i, 'the running query was interrupted, not left to run');
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  });
});

describe('DuckDB connection pool: rolling back only what may be open', () => {
  it('runs no ROLLBACK after plain statements, scripts or committed transactions, and still rolls back a transaction a use left open or a failed use', async () => {
    const wh = await openDuckDbWarehouse();
    try {
      // DuckDB's own query log: every statement any connection of the instance ran, in order.
      await wh.run("CALL enable_logging('QueryLog')");
      await wh.run('select 42');
      await wh.run('select 43');
      await wh.runScript(['create table scripted (x int)']);
      await wh.withConnection(async (conn) => {
        await conn.run('begin transaction');
        await conn.run('insert into scripted values (1)');
        await conn.run('commit');
      });
      await wh.withConnection(async (conn) => {
        await conn.run('begin transaction');
        await conn.run('create table left_open (x int)');
      });
      await assert.rejects(wh.run('select * from no_such_table'));
      await wh.run('select 44');
      const log = await wh.run("select message from duckdb_logs where type = 'QueryLog' order by timestamp");
      assert.deepEqual(
        log.rows.map((r) => String(r[0]).trim()),
        [
          'select 42',
          'select 43',
          'BEGIN TRANSACTION',
          'create table scripted (x int)',
          'COMMIT',
          'begin transaction',
          'insert into scripted values (1)',
          'commit',
          'begin transaction',
          'create table left_open (x int)',
          'ROLLBACK',
          'select * from no_such_table',
          'ROLLBACK',
          'select 44',
        ],
      );
      // The transaction left open was rolled back, not leaked into the next use: its table never existed.
      await assert.rejects(wh.run('select * from left_open'), /left_open/);
    } finally {
      await wh.close();
    }
  });
});
