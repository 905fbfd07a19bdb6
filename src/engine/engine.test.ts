import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTimeOf } from './home.js';
import { Engine } from './index.js';

const run = promisify(execFile);

function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'recpipe-'));
}

/** Opens the home in a child process and reports what happened. */
async function openInChild(home: string): Promise<{ ok: boolean; message: string }> {
  const engineUrl = new URL('./index.js', import.meta.url).href;
  const script = `
    import { Engine } from ${JSON.stringify(engineUrl)};
    try { const e = await Engine.open({ home: ${JSON.stringify(home)} }); await e.close(); console.log(JSON.stringify({ ok: true, message: '' })); }
    catch (err) { console.log(JSON.stringify({ ok: false, message: err.message })); }`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { ok: boolean; message: string };
}

describe('Engine', () => {
  it('keeps databases, tables, rows, file formats, warehouses and load history across restarts', async () => {
    const home = tempHome();
    try {
      const first = await Engine.open({ home });
      const s = first.createSession();
      const csv = join(home, 'in.csv');
      writeFileSync(csv, 'a,b\n1,x\n2,y\n');
      await first.execute(
        s,
        `create database keep; create schema more; create table more.t (a int, b varchar);
         create file format ff type = csv skip_header = 1; create warehouse wh2 warehouse_size = small;
         copy into more.t from '${csv}' file_format = (format_name = ff);
         insert into more.t values (3, 'z')`,
      );
      await first.close();

      const second = await Engine.open({ home });
      try {
        const s2 = second.createSession({ database: 'keep', schema: 'more' });
        const [rows, formats, whs, history] = await second.execute(
          s2,
          `select * from t order by a; show file formats in account; show warehouses; select status, row_count from recpipe.load_history`,
        );
        assert.deepEqual(rows.rows, [
          [1, 'x'],
          [2, 'y'],
          [3, 'z'],
        ]);
        assert.deepEqual(
          formats.rows.map((r) => r[1]),
          ['FF'],
        );
        assert.deepEqual(
          whs.rows.map((r) => r[0]),
          ['COMPUTE_WH', 'WH2'],
        );
        assert.deepEqual(history.rows, [['LOADED', 2]]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('gives the home to one process: a second process gets a clear lock error', async () => {
    const home = tempHome();
    const engine = await Engine.open({ home });
    try {
      const lock = JSON.parse(readFileSync(join(home, 'recpipe.lock'), 'utf8')) as { pid: number };
      assert.equal(lock.pid, process.pid);
      const child = await openInChild(home);
      assert.equal(child.ok, false);
      assert.match(child.message, new RegExp(`recpipe home .* is in use by process ${process.pid} \\(lock file .*recpipe\\.lock\\)`));
      await assert.rejects(Engine.open({ home }), /in use by this process/);
    } finally {
      await engine.close();
    }
    assert.equal(existsSync(join(home, 'recpipe.lock')), false);
    assert.deepEqual(await openInChild(home), { ok: true, message: '' });
    rmSync(home, { recursive: true, force: true });
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const home = tempHome();
    try {
      const { stdout } = await run(process.execPath, ['-e', 'console.log(process.pid)']);
      writeFileSync(join(home, 'recpipe.lock'), JSON.stringify({ pid: Number(stdout) }));
      const engine = await Engine.open({ home });
      await engine.close();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('takes over a lock naming a live but unrelated process (a pid reused after a reboot)', { timeout: 180_000 }, async () => {
    const home = tempHome();
    const other = spawn('sleep', ['600'], { stdio: 'ignore' }); // killed below; outlives two engine opens on a loaded machine
    try {
      const pid = other.pid!;
      // The same pid with another start time, and a lock from before start times were recorded.
      for (const lock of [
        { pid, startTime: '1', bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() },
        { pid, since: '2001-01-01T00:00:00Z' },
      ]) {
        writeFileSync(join(home, 'recpipe.lock'), JSON.stringify(lock));
        const engine = await Engine.open({ home });
        const taken = JSON.parse(readFileSync(join(home, 'recpipe.lock'), 'utf8')) as { pid: number; startTime: string };
        assert.equal(taken.pid, process.pid);
        assert.equal(taken.startTime, startTimeOf(process.pid));
        await engine.close();
      }
      // The live process itself, as recorded by its own lock, still holds the home.
      writeFileSync(join(home, 'recpipe.lock'), JSON.stringify({ pid, startTime: startTimeOf(pid) }));
      await assert.rejects(Engine.open({ home }), new RegExp(`in use by process ${pid}`));
    } finally {
      other.kill();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('keeps the home owner-only: 0700 directories, 0600 files, DuckDB files included', async () => {
    const home = tempHome();
    try {
      chmodSync(home, 0o755);
      const engine = await Engine.open({ home });
      await engine.execute(engine.createSession(), 'create database modes_db; create table t as select range as x from range(1000)');
      await engine.close();
      const loose = (readdirSync(home, { recursive: true }) as string[])
        .map((f) => ({ f, st: statSync(join(home, f)) }))
        .filter(({ st }) => (st.mode & 0o077) !== 0)
        .map(({ f }) => f);
      assert.deepEqual(loose, []);
      assert.equal(statSync(home).mode & 0o777, 0o700);
      assert.equal(statSync(join(home, 'databases', 'MODES_DB.duckdb')).mode & 0o777, 0o600);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses to open a home whose catalog names a missing database file', async () => {
    const home = tempHome();
    try {
      const engine = await Engine.open({ home });
      await engine.execute(engine.createSession(), 'create database lost');
      await engine.close();
      renameSync(join(home, 'databases', 'LOST.duckdb'), join(home, 'elsewhere.duckdb'));
      await assert.rejects(Engine.open({ home }), /database LOST is in the catalog but its file .*LOST\.duckdb is missing/);
      assert.equal(existsSync(join(home, 'recpipe.lock')), false, 'a failed open releases the lock');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('creates sessions with Snowflake name rules and rejects unknown roles and databases', async () => {
    const home = tempHome();
    const engine = await Engine.open({ home });
    try {
      await engine.execute(engine.createSession(), 'create database movielens');
      const s = engine.createSession({ role: 'accountadmin', database: 'movielens', warehouse: 'compute_wh' });
      assert.deepEqual(
        { ...s, id: '' },
        { id: '', role: 'ACCOUNTADMIN', database: 'MOVIELENS', schema: 'PUBLIC', warehouse: 'COMPUTE_WH' },
      );
      assert.notEqual(engine.createSession().id, s.id);
      assert.throws(() => engine.createSession({ role: 'root' }), /Role 'ROOT' does not exist/);
      assert.throws(() => engine.createSession({ database: 'nope' }), /Database 'nope' does not exist/);
      assert.deepEqual(engine.resolveTableName(s, 'ratings_train_data'), {
        database: 'MOVIELENS',
        schema: 'PUBLIC',
        name: 'RATINGS_TRAIN_DATA',
      });
      assert.deepEqual(engine.resolveTableName(s, 'MOVIELENS.PUBLIC."recs"'), { database: 'MOVIELENS', schema: 'PUBLIC', name: 'recs' });
    } finally {
      await engine.close();
      rmSync(home, { recursive: true, force: true });
    }
    await assert.rejects(engine.execute(engine.createSession(), 'select 1'), /is closed/);
  });
});
