import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitStatements } from './tokens.js';
import { translate } from './translate.js';

const ctx = { database: 'MOVIELENS', schema: 'PUBLIC', role: 'SYSADMIN', warehouse: null };

function tr(sql: string) {
  const [st] = splitStatements(sql);
  return translate(st.tokens, st.text, ctx, 'SELECT');
}

describe('translate', () => {
  it('qualifies and quotes table names, upper-cases unquoted words', () => {
    const t = tr('select nr.userid, m.title from no_ratings nr, movies m where nr.movieid = m.movieid');
    assert.equal(
      t.sql,
      'SELECT NR.USERID, M.TITLE FROM "MOVIELENS"."PUBLIC"."NO_RATINGS" NR, "MOVIELENS"."PUBLIC"."MOVIES" M WHERE NR.MOVIEID = M.MOVIEID',
    );
    assert.deepEqual(
      t.refs.map((r) => r.table.name),
      ['NO_RATINGS', 'MOVIES'],
    );
  });

  it('resolves two- and three-part names and keeps quoted parts', () => {
    assert.equal(tr('select * from s.t join "Db"."S"."t" using (a)').sql, 'SELECT * FROM "MOVIELENS"."S"."T" JOIN "Db"."S"."t" USING (A)');
  });

  it('resolves every table of nested FROM lists', () => {
    assert.deepEqual(
      tr('select * from (select * from u, v) s, w join x on s.a = x.a, y where s.a in (select a from z)').refs.map((r) => r.table.name),
      ['U', 'V', 'W', 'X', 'Y', 'Z'],
    );
  });

  it('leaves CTE names, subqueries and table functions alone', () => {
    const t = tr('with x as (select 1 a), y (b) as (select 2) select * from x, y, (select * from t) s, range(3) r');
    assert.match(t.sql, /FROM X, Y, \(SELECT \* FROM "MOVIELENS"\."PUBLIC"\."T"\) S, RANGE\(3\) R$/);
    assert.deepEqual(
      t.refs.map((r) => r.table.name),
      ['T'],
    );
  });

  it('does not take FROM inside EXTRACT/TRIM or IS DISTINCT FROM as a table', () => {
    const t = tr("select extract(year from ts), trim(both 'x' from s) from t where a is distinct from b");
    assert.deepEqual(
      t.refs.map((r) => r.table.name),
      ['T'],
    );
  });

  it('maps types in :: and CAST positions', () => {
    assert.equal(
      tr('select a::number(10,2) a, cast(b as timestamp_ntz) b, try_cast(c as variant) c, d::string d from t').sql.split(' FROM')[0],
      'SELECT A::DECIMAL(10,2) A, CAST(B AS TIMESTAMP) B, TRY_CAST(C AS JSON) C, D::VARCHAR D',
    );
  });

  it('marks write targets of INSERT, UPDATE and DELETE', () => {
    const ins = tr('insert into t (a) select a from u');
    assert.deepEqual(
      ins.refs.map((r) => [r.table.name, r.write]),
      [
        ['T', true],
        ['U', false],
      ],
    );
    const del = tr('delete from t using u where t.a = u.a');
    assert.deepEqual(
      del.refs.map((r) => [r.table.name, r.write]),
      [
        ['T', true],
        ['U', false],
      ],
    );
    assert.deepEqual(
      tr('update t set a = 1').refs.map((r) => r.write),
      [true],
    );
    const cte = tr('with x as (select 1 a), y as materialized (select 2) delete from t using x where t.a = x.a');
    assert.deepEqual(
      cte.refs.map((r) => [r.table.name, r.write]),
      [['T', true]],
    );
    assert.deepEqual(
      tr('with recursive x (n) as (select 1) update t set a = 1 from x').refs.map((r) => [r.table.name, r.write]),
      [['T', true]],
    );
  });

  it("re-quotes strings for DuckDB and counts parameters", () => {
    const t = tr("select 'it''s' s, '\\\\N' n, ? p from t where a = ?");
    assert.equal(t.sql, `SELECT 'it''s' S, '\\N' N, ? P FROM "MOVIELENS"."PUBLIC"."T" WHERE A = ?`);
    assert.equal(t.params, 2);
  });

  it("names unaliased select expressions as Snowflake does, leaving names, stars and aliases alone", () => {
    assert.equal(
      tr('select count(*), a + 1, t.b, c x, d as "y", case when e then 1 end, f is null, (select max(g) from u) from t').sql,
      'SELECT COUNT(*) AS "COUNT(*)", A + 1 AS "A + 1", T.B, C X, D AS "y", CASE WHEN E THEN 1 END AS "CASE WHEN E THEN 1 END", F IS NULL AS "F IS NULL",' +
        ' (SELECT MAX(G) AS "MAX(G)" FROM "MOVIELENS"."PUBLIC"."U") AS "(SELECT MAX(G) FROM U)" FROM "MOVIELENS"."PUBLIC"."T"',
    );
    assert.equal(tr('select distinct * exclude (a), t.* from t').sql, 'SELECT DISTINCT * EXCLUDE (A), T.* FROM "MOVIELENS"."PUBLIC"."T"');
    assert.equal(tr('select sum(a) from t union all select 1').sql, 'SELECT SUM(A) AS "SUM(A)" FROM "MOVIELENS"."PUBLIC"."T" UNION ALL SELECT 1 AS "1"');
  });

  it('answers context functions from the session', () => {
    assert.equal(
      tr('select current_role(), current_database(), current_warehouse()').sql,
      `SELECT 'SYSADMIN' AS "CURRENT_ROLE()", 'MOVIELENS' AS "CURRENT_DATABASE()", NULL AS "CURRENT_WAREHOUSE()"`,
    );
  });

  it('keeps line breaks so DuckDB line numbers match the statement', () => {
    assert.equal(tr('select a -- c\nfrom\n  t').sql, 'SELECT A \nFROM\n "MOVIELENS"."PUBLIC"."T"');
  });
});
