import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDialect, parse, statementObjects } from './index.js';

const session = { database: 'DB', schema: 'S' };
const name = (t: { database: string; schema: string; name: string }): string => `${t.database}.${t.schema}.${t.name}`;

describe('statementObjects', () => {
  it('lists tables read and written by kind, resolved, without CTE names', async () => {
    await loadDialect();
    const ins = statementObjects(parse('with c as (select * from src) insert into t select * from c join other.o using (id)'), session);
    assert.deepEqual(
      ins.writes.map((w) => [w.kind, name(w.table)]),
      [['INSERT', 'DB.S.T']],
    );
    assert.deepEqual(ins.reads.map(name).sort(), ['DB.OTHER.O', 'DB.S.SRC']);
    const merge = statementObjects(parse('merge into t using s on t.id = s.id when matched then delete'), session);
    assert.deepEqual(
      merge.writes.map((w) => [w.kind, name(w.table)]),
      [['DELETE', 'DB.S.T']],
    );
    assert.deepEqual(merge.reads.map(name), ['DB.S.S']);
    // Each clause present needs its own privilege on the target, and only those.
    const all = statementObjects(
      parse(
        'merge into t as tg using (select * from s) src on tg.id = src.id when matched and src.x = 1 then update set a = src.a when not matched then insert (a) values (src.a)',
      ),
      session,
    );
    assert.deepEqual(
      all.writes.map((w) => w.kind),
      ['UPDATE', 'INSERT'],
    );
    assert.deepEqual(all.reads.map(name), ['DB.S.S']);
    const upd = statementObjects(parse('update "Quoted" set a = 1 from x.y.z where 1 = 1'), session);
    assert.deepEqual(
      upd.writes.map((w) => [w.kind, name(w.table)]),
      [['UPDATE', 'DB.S.Quoted']],
    );
    assert.deepEqual(upd.reads.map(name), ['X.Y.Z']);
    const del = statementObjects(parse('delete from t using u where t.a = u.a'), session);
    assert.deepEqual([del.writes.map((w) => w.kind), del.reads.map(name)], [['DELETE'], ['DB.S.U']]);
  });

  it('lists objects created and dropped', async () => {
    await loadDialect();
    const ctas = statementObjects(parse('create or replace table t2 as select * from t1'), session);
    assert.deepEqual([ctas.creates.map((c) => [c.kind, name(c.object)]), ctas.reads.map(name)], [[['TABLE', 'DB.S.T2']], ['DB.S.T1']]);
    const view = statementObjects(parse('create view v as select * from information_schema.tables'), session);
    assert.deepEqual([view.creates.map((c) => c.kind), view.reads], [['VIEW'], []]);
    const drop = statementObjects(parse('drop table a, b'), session);
    assert.deepEqual(
      drop.drops.map((d) => name(d.object)),
      ['DB.S.A', 'DB.S.B'],
    );
  });
});
