import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statementObjects } from './statement-objects.js';

const names = (refs: readonly { name: readonly string[] }[] | undefined) => refs?.map((r) => r.name.join('.')).sort();

describe('statementObjects (read and write sets from the syntax tree)', () => {
  it('separates the tables written from the tables read; CTE names are not tables', async () => {
    const ins = await statementObjects('insert into db.s.t (a) with c as (select x from src) select x from c join "Other" o on true');
    assert.deepEqual(ins?.writes, [{ kind: 'INSERT', name: ['DB', 'S', 'T'] }]);
    assert.deepEqual(names(ins?.reads), ['Other', 'SRC']);
    const upd = await statementObjects('update t set a = 1 from u where t.id = u.id');
    assert.deepEqual(upd?.writes, [{ kind: 'UPDATE', name: ['T'] }]);
    assert.deepEqual(names(upd?.reads), ['U']);
    const del = await statementObjects('delete from t where id in (select id from s.u)');
    assert.deepEqual(names(del?.writes), ['T']);
    assert.deepEqual(names(del?.reads), ['S.U']);
    const merge = await statementObjects('merge into t using s on t.id = s.id when matched then update set a = s.a');
    assert.deepEqual(merge?.writes, [{ kind: 'MERGE', name: ['T'] }]);
    assert.deepEqual(names(merge?.reads), ['S']);
    assert.deepEqual((await statementObjects('truncate table t'))?.writes, [{ kind: 'TRUNCATE', name: ['T'] }]);
  });

  it('reports objects created and dropped, and what a view or CTAS reads', async () => {
    const view = await statementObjects('create or replace view v as select * from (select * from base) b');
    assert.deepEqual(view?.creates, [{ kind: 'VIEW', name: ['V'] }]);
    assert.deepEqual(names(view?.reads), ['BASE']);
    const ctas = await statementObjects('create table x as select * from y');
    assert.deepEqual(ctas?.creates, [{ kind: 'TABLE', name: ['X'] }]);
    assert.deepEqual(names(ctas?.reads), ['Y']);
    assert.deepEqual((await statementObjects('drop table a.b.c'))?.drops, [{ kind: 'TABLE', name: ['A', 'B', 'C'] }]);
    assert.deepEqual(names((await statementObjects('select * from t, lateral flatten(input => t.v) f'))?.reads), ['T']);
  });
});
