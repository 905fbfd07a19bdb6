import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RatingsBuilder } from '../core/index.js';
import { Engine, type Session } from '../engine/index.js';
import type { JobTables } from '../jobs/index.js';
import { startServer, type RunningServer } from '../service/index.js';
import { ownerKey } from '../../tests/support/auth.js';
import { sql, tempDir } from '../../tests/support/temp-engine.js';
import { adapterType, WarehouseLink } from './warehouse-link.js';

/** A linked warehouse's tables, read and written through a real recpipe server on loopback. */
describe('WarehouseLink', () => {
  const tmp = tempDir();
  let engine: Engine;
  let s: Session;
  let server: RunningServer;
  let tables: JobTables;
  const t = (name: string) => ({ database: 'WH', schema: 'PUBLIC', name });
  const rows = async (table: string) => (await sql(engine, s, `select * from wh.public.${table} order by 1`)).rows;

  before(async () => {
    engine = await Engine.open({ home: tmp.dir });
    s = engine.createSession();
    await engine.execute(
      s,
      `create database wh; create table ratings (USERID number(38,0), MOVIEID varchar, RATING float);
       insert into ratings values (1, 'a', 4.5), (2, 'b', 3), (1, 'b', 2);
       create view v as select * from ratings;
       create table recs (USERID float, TOP_10_RECOMMENDATIONS variant); insert into recs values (9, parse_json('[1]'));
       create table timed (USERID int, MOVIEID int, RATING float, TS timestamp, DAY date, SECONDS number(12,0));
       insert into timed values (1, 10, 4, '2020-01-02 03:04:05.25', '2020-01-02', 1577934245), (2, 10, 3, '2021-06-30 00:00:00', '2021-06-30', 1625011200)`,
    );
    server = await startServer(engine, { home: tmp.dir, host: '127.0.0.1', port: 0 });
    tables = new WarehouseLink(server.url, () => ownerKey(tmp.dir)).source({ database: 'WH' }).tables;
  });
  after(async () => {
    await server?.close();
    await engine?.close();
    tmp.remove();
  });

  it('sees tables, views, schemas and column types as the job checks them; absent ones as absent', { timeout: 180_000 }, async () => {
    assert.deepEqual(
      (await tables.tableColumns(t('RATINGS')))?.map((c) => [c.name, c.type]),
      [
        ['USERID', 'DECIMAL(38,0)'],
        ['MOVIEID', 'VARCHAR'],
        ['RATING', 'DOUBLE'],
      ],
    );
    assert.equal(await tables.tableColumns(t('NOPE')), null);
    assert.deepEqual((await tables.listTables({ database: 'WH', schema: 'PUBLIC' })).map((x) => `${x.name}:${x.kind}`).sort(), [
      'RATINGS:TABLE',
      'RECS:TABLE',
      'TIMED:TABLE',
      'V:VIEW',
    ]);
    assert.ok((await tables.listSchemas('WH')).includes('PUBLIC'));
    assert.deepEqual(await tables.listSchemas('NO_SUCH_DB'), []);
  });

  it('reads the ratings into the builder, numeric ids as numbers and text ids as text', { timeout: 180_000 }, async () => {
    const builder = await tables.readRatings(
      t('RATINGS'),
      { user: 'USERID', item: 'MOVIEID', rating: 'RATING', userAs: 'number', itemAs: 'text' },
      () => new RatingsBuilder(),
    );
    const { dataset } = builder.finish('ratings');
    assert.equal(dataset.size, 3);
    assert.deepEqual([...dataset.userIds.rawIds()].sort(), ['1', '2']);
    assert.deepEqual([...dataset.itemIds.rawIds()].sort(), ['a', 'b']);
  });

  it('reads a timestamp column as seconds since 1970, from a TIMESTAMP, a DATE or a number, as the local reader does', {
    timeout: 180_000,
  }, async () => {
    const times = async (timestamp: { name: string; as: 'epoch' | 'number' }) => {
      const columns = { user: 'USERID', item: 'MOVIEID', rating: 'RATING', userAs: 'number', itemAs: 'number', timestamp } as const;
      const linked = (await tables.readRatings(t('TIMED'), columns, () => new RatingsBuilder())).finish('timed').dataset.timestamps;
      const local = (await engine.warehouse.readRatings(t('TIMED'), columns, () => new RatingsBuilder())).finish('timed').dataset
        .timestamps;
      assert.deepEqual(linked && [...linked], local && [...local], `${timestamp.name}: the same seconds as the local reader`);
      return linked && [...linked];
    };
    assert.deepEqual(await times({ name: 'TS', as: 'epoch' }), [1577934245.25, 1625011200]);
    assert.deepEqual(await times({ name: 'DAY', as: 'epoch' }), [1577923200, 1625011200]);
    assert.deepEqual(await times({ name: 'SECONDS', as: 'number' }), [1577934245, 1625011200]);
  });

  it('reads page by page in one snapshot (results by column), whatever the page size', { timeout: 180_000 }, async () => {
    const columns = { user: 'USERID', item: 'MOVIEID', rating: 'RATING', userAs: 'number', itemAs: 'text' } as const;
    const read = async (pageRows: number) => {
      const paged = new WarehouseLink(server.url, () => ownerKey(tmp.dir), pageRows).source({ database: 'WH' }).tables;
      const { dataset } = (await paged.readRatings(t('RATINGS'), columns, () => new RatingsBuilder())).finish('ratings');
      return [...dataset.ratings]
        .map((r, k) => `${dataset.userIds.rawIds()[dataset.users[k]]}/${dataset.itemIds.rawIds()[dataset.items[k]]}=${r}`)
        .sort();
    };
    const whole = ['1/a=4.5', '1/b=2', '2/b=3'];
    for (const pageRows of [1, 2, 3, 100]) assert.deepEqual(await read(pageRows), whole, `pages of ${pageRows}`);
    const reply = await fetch(`${server.url}/api/v1/statements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerKey(tmp.dir)}` },
      body: JSON.stringify({ sql: 'select USERID, MOVIEID from wh.public.ratings order by 2, 1', resultFormat: 'columns' }),
    });
    const [result] = ((await reply.json()) as { results: { rows: unknown[]; columnData: unknown[][]; rowCount: number }[] }).results;
    assert.deepEqual(result.rows, []);
    assert.deepEqual(result.columnData, [
      [1, 1, 2],
      ['a', 'b', 'b'],
    ]);
    assert.equal(result.rowCount, 3);
  });

  it('replaces an existing table in one request, keeping its columns; creates a missing one', { timeout: 180_000 }, async () => {
    const n = 2_500; // three INSERT batches
    const users = Float64Array.from({ length: n }, (_, i) => i + 1);
    const lists = Array.from({ length: n }, (_, i) => `[${i},${i + 1}]`);
    assert.equal(
      await tables.writeTable(t('RECS'), [
        { name: 'USERID', type: 'DOUBLE', values: users },
        { name: 'TOP_10_RECOMMENDATIONS', type: 'JSON', values: lists },
      ]),
      n,
    );
    const written = await rows('recs');
    assert.equal(written.length, n);
    assert.deepEqual(written[n - 1], [n, [n - 1, n]]);
    assert.deepEqual(
      (await tables.tableColumns(t('RECS')))?.map((c) => c.type),
      ['DOUBLE', 'JSON'],
    );

    await tables.writeTable(t('FRESH'), [
      { name: 'USERID', type: 'VARCHAR', values: ['u1'] },
      { name: 'RECOMMENDATIONS', type: 'JSON', values: ['["x"]'] },
    ]);
    assert.deepEqual(await rows('fresh'), [['u1', ['x']]]);
  });

  it('leaves the table as it was when the write fails part-way', { timeout: 180_000 }, async () => {
    const before = await rows('recs');
    const lists = Array.from({ length: 2_500 }, (_, i) => (i === 2_400 ? 'not json' : '[1]'));
    await assert.rejects(
      tables.writeTable(t('RECS'), [
        { name: 'USERID', type: 'DOUBLE', values: new Float64Array(2_500) },
        { name: 'TOP_10_RECOMMENDATIONS', type: 'JSON', values: lists },
      ]),
    );
    assert.deepEqual(await rows('recs'), before);
  });

  it('maps Snowflake types to the names the job checks read', () => {
    assert.equal(adapterType('NUMBER(38,0)'), 'DECIMAL(38,0)');
    assert.equal(adapterType('number(10, 2)'), 'DECIMAL(10,2)');
    assert.equal(adapterType('FLOAT'), 'DOUBLE');
    assert.equal(adapterType('VARCHAR(16777216)'), 'VARCHAR');
    assert.equal(adapterType('VARIANT'), 'JSON');
    assert.equal(adapterType('DATE'), 'DATE');
  });
});
