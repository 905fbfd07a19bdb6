import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CsvOptions, TableName, Warehouse } from '../../src/warehouse/warehouse.js';

const CSV: CsvOptions = {
  skipHeader: 1,
  delimiter: ',',
  quote: '"',
  escape: '"',
  nullIf: [],
  emptyFieldAsNull: true,
  errorOnColumnCountMismatch: true,
  compression: 'auto',
};

/**
 * The behaviour every Warehouse implementation must have. `open` gets a fresh scratch directory
 * and returns a warehouse with nothing attached.
 */
export function describeWarehouse(name: string, open: (dir: string) => Promise<Warehouse>): void {
  describe(`Warehouse contract: ${name}`, () => {
    let dir: string;
    let wh: Warehouse;
    const t = (n: string): TableName => ({ database: 'W', schema: 'main', name: n });
    const file = (n: string, text: string): string => {
      const path = join(dir, n);
      writeFileSync(path, text);
      return path;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'recpipe-wh-'));
      wh = await open(dir);
      await wh.attachDatabase('W', join(dir, 'w.duckdb'));
    });
    after(async () => {
      await wh.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs statements with bound parameters and JSON-safe results', async () => {
      const r = await wh.run(
        `SELECT ?::BIGINT AS big, ?::VARCHAR AS s, 9007199254740993::BIGINT AS huge, DATE '2020-01-02' AS d, '{"a":[1]}'::JSON AS j`,
        [42, "it's"],
      );
      assert.deepEqual(
        r.columns.map((c) => c.type),
        ['BIGINT', 'VARCHAR', 'BIGINT', 'DATE', 'JSON'],
      );
      assert.deepEqual(r.rows, [[42, "it's", '9007199254740993', '2020-01-02', { a: [1] }]]);
      assert.equal(r.returnsRows, true);
    });

    it('keeps a transaction across statements of one connection', async () => {
      await wh.run('CREATE TABLE W.main.tx (a INTEGER)');
      await wh.withConnection(async (conn) => {
        await conn.run('BEGIN TRANSACTION');
        const ins = await conn.run('INSERT INTO W.main.tx VALUES (1), (2)');
        assert.equal(ins.rowsChanged, 2);
        await conn.run('ROLLBACK');
      });
      assert.deepEqual((await wh.run('SELECT count(*) FROM W.main.tx')).rows, [[0]]);
    });

    it('does not leak an open transaction to the next user of a connection', async () => {
      await wh.withConnection(async (conn) => {
        await conn.run('BEGIN TRANSACTION');
        await conn.run('INSERT INTO W.main.tx VALUES (3)');
      });
      assert.deepEqual((await wh.run('SELECT count(*) FROM W.main.tx')).rows, [[0]]);
    });

    it('lists schemas, tables and columns', async () => {
      await wh.run('CREATE TABLE W.main.listed (id BIGINT NOT NULL, v JSON)');
      assert.ok((await wh.listTables({ database: 'w' })).some((x) => x.name === 'listed' && x.kind === 'TABLE'));
      assert.deepEqual(await wh.tableColumns(t('LISTED')), [
        { name: 'id', type: 'BIGINT', nullable: false, defaultValue: null },
        { name: 'v', type: 'JSON', nullable: true, defaultValue: null },
      ]);
      assert.equal(await wh.tableColumns(t('missing')), null);
    });

    it('writes a table atomically and reads its columns back as typed arrays', async () => {
      const n = 5000;
      const users = Float64Array.from({ length: n }, (_, i) => i % 97);
      const recs = Array.from({ length: n }, (_, i) => JSON.stringify([i, i + 1]));
      assert.equal(
        await wh.writeTable(t('out'), [
          { name: 'USERID', type: 'DOUBLE', values: users },
          { name: 'RECS', type: 'JSON', values: recs },
        ]),
        n,
      );
      const read = await wh.readColumns(t('out'), [
        { name: 'USERID', as: 'int32' },
        { name: 'USERID', as: 'float32' },
        { name: 'RECS', as: 'string' },
      ]);
      assert.equal(read.rowCount, n);
      assert.ok(read.columns.USERID instanceof Float32Array);
      assert.deepEqual(
        (await wh.tableColumns(t('out')))!.map((c) => c.type),
        ['DOUBLE', 'JSON'],
      );
      const back = await wh.readColumns(t('out'), [
        { name: 'USERID', as: 'float64' },
        { name: 'RECS', as: 'string' },
      ]);
      assert.deepEqual(back.columns.USERID, users);
      assert.equal((back.columns.RECS as string[])[4999], '[4999,5000]');
    });

    it('leaves the old table in place when a write fails', async () => {
      await assert.rejects(
        wh.writeTable(t('out'), [
          { name: 'USERID', type: 'DOUBLE', values: [1, 2] },
          { name: 'RECS', type: 'JSON', values: ['[1]', 'not json'] },
        ]),
        /JSON/i,
      );
      assert.deepEqual((await wh.run('SELECT count(*) FROM W.main.out')).rows, [[5000]]);
    });

    it('refuses columns of different lengths', async () => {
      await assert.rejects(
        wh.writeTable(t('bad'), [
          { name: 'A', type: 'DOUBLE', values: [1, 2] },
          { name: 'B', type: 'DOUBLE', values: [1] },
        ]),
        /column B has 1 values but A has 2/,
      );
    });

    it('loads a clean CSV file (CRLF, quoted commas)', async () => {
      await wh.run('CREATE TABLE W.main.movies (id BIGINT, title VARCHAR, genres VARCHAR)');
      const f = file('movies.csv', 'movieId,title,genres\r\n1,"American President, The (1995)",Comedy|Drama\r\n2,Heat (1995),Action\r\n');
      const [o] = await wh.loadCsv({ table: t('movies'), files: [f], options: CSV, onError: { kind: 'abort' } });
      assert.deepEqual(o, { file: f, status: 'LOADED', rowsParsed: 2, rowsLoaded: 2, errorsSeen: 0, firstError: null });
      assert.deepEqual((await wh.run('SELECT title FROM W.main.movies ORDER BY id')).rows, [
        ['American President, The (1995)'],
        ['Heat (1995)'],
      ]);
    });

    it('loads epoch seconds into a timestamp column', async () => {
      await wh.run('CREATE TABLE W.main.r (u BIGINT, ts TIMESTAMP)');
      const f = file('r.csv', 'u,ts\n1,964982703\n2,1700000000\n');
      await wh.loadCsv({ table: t('r'), files: [f], options: CSV, onError: { kind: 'abort' } });
      assert.deepEqual((await wh.run('SELECT ts FROM W.main.r ORDER BY u')).rows, [['2000-07-30T18:45:03'], ['2023-11-14T22:13:20']]);
    });

    it('reports the first bad row and loads nothing under abort', async () => {
      await wh.run('CREATE TABLE W.main.nums (a BIGINT, b VARCHAR, c DOUBLE)');
      const good = file('good.csv', 'a,b,c\n1,x,1.5\n');
      const bad = file('bad.csv', 'a,b,c\n1,x,1.5\n2,y,abc\n3,z,2.5\n');
      const out = await wh.loadCsv({ table: t('nums'), files: [good, bad], options: CSV, onError: { kind: 'abort' } });
      assert.equal(out.length, 2);
      assert.deepEqual(
        out.map((o) => o.status),
        ['LOAD_FAILED', 'LOAD_FAILED'],
      );
      assert.deepEqual(out[1].firstError, {
        message: "Numeric value 'abc' is not recognized",
        line: 3,
        character: 5,
        columnName: 'c',
        columnPosition: 3,
      });
      assert.deepEqual(
        out.map((o) => o.rowsLoaded),
        [0, 0],
      );
      assert.deepEqual((await wh.run('SELECT count(*) FROM W.main.nums')).rows, [[0]]);
    });

    it('loads the good rows under continue and nothing of a bad file under skip-file', async () => {
      const bad = file('bad2.csv', 'a,b,c\n1,x,1.5\n2,y\n3,z,2.5\n');
      const [cont] = await wh.loadCsv({ table: t('nums'), files: [bad], options: CSV, onError: { kind: 'continue' } });
      assert.equal(cont.status, 'PARTIALLY_LOADED');
      assert.equal(cont.rowsParsed, 3);
      assert.equal(cont.rowsLoaded, 2);
      assert.match(cont.firstError!.message, /Number of columns in file \(2\) does not match that of the corresponding table \(3\)/);
      assert.equal(cont.firstError!.line, 3);
      const [skip] = await wh.loadCsv({
        table: t('nums'),
        files: [bad],
        options: CSV,
        onError: { kind: 'skip-file', limit: 1, percent: false },
      });
      assert.equal(skip.status, 'LOAD_FAILED');
      assert.equal(skip.rowsLoaded, 0);
      const [under] = await wh.loadCsv({
        table: t('nums'),
        files: [bad],
        options: CSV,
        onError: { kind: 'skip-file', limit: 2, percent: false },
      });
      assert.equal(under.status, 'PARTIALLY_LOADED');
      assert.deepEqual((await wh.run('SELECT count(*) FROM W.main.nums')).rows, [[4]]);
    });
  });
}
