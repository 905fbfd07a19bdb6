import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindSql } from './binds.js';

describe('bindSql (Snowflake bindings → DuckDB parameters)', () => {
  it('takes ? in order, :N by number and :name by name, leaving VARIANT paths alone', () => {
    const b = bindSql('select v:a, ? , :2, :who from t where x = :1', {
      '1': { type: 'FIXED', value: '7' },
      '2': { type: 'TEXT', value: "o'hara; drop table t" },
      who: { type: 'BOOLEAN', value: 'true' },
    });
    assert.equal(b.sql, 'select v:a, ? , ?, ? from t where x = ?');
    assert.deepEqual(b.params, [7, "o'hara; drop table t", true, 7]);
    assert.equal(b.rows, 1);
  });

  it('converts typed values: big integers, reals, dates and timestamps sent as epoch numbers', () => {
    const b = bindSql('select ?, ?, ?, ?, ?, ?', {
      '1': { type: 'FIXED', value: '9007199254740993' },
      '2': { type: 'REAL', value: '-1.5e3' },
      '3': { type: 'DATE', value: String(Date.UTC(2024, 0, 2)) },
      '4': { type: 'TIMESTAMP_NTZ', value: '946684801123456789' },
      '5': { type: 'TIMESTAMP_TZ', value: '946684800000000000 1560' },
      '6': { type: 'TEXT', value: null },
    });
    assert.deepEqual(b.params, [
      9007199254740993n,
      -1500,
      '2024-01-02',
      '2000-01-01T00:00:01.123456789',
      '2000-01-01T02:00:00.000000000+02:00',
      null,
    ]);
  });

  it('refuses values that do not match their type, naming the binding and row', () => {
    assert.throws(
      () => bindSql('select ?', { '1': { type: 'FIXED', value: '1; drop table t' } }),
      /binding '1': '1; drop table t' is not a FIXED number/,
    );
    assert.throws(
      () => bindSql('select ?', { '1': { type: 'DATE', value: ['2024-01-01', 'tomorrow'] } }),
      /binding '1' row 2: 'tomorrow' is not a DATE/,
    );
    assert.throws(() => bindSql('select ?', { '1': { type: 'DATE', value: '2023-02-29' } }), /is not a DATE/);
    assert.throws(() => bindSql('select ?', { '1': { type: 'TIME', value: '24:00:00' } }), /is not a TIME/);
    assert.throws(() => bindSql('select ?', { '1': { type: 'WEIRD', value: 'x' } }), /unknown bind type 'WEIRD'/);
    assert.throws(() => bindSql('select ?, ?', { '1': { type: 'TEXT', value: 'x' } }), /no such binding was given/);
    assert.throws(() => bindSql('select 1', { '1': { type: 'TEXT', value: 'x' } }), /has no marker/);
    assert.throws(() => bindSql('select ?', { '1': { type: 'VARIANT', value: '{nope' } }), /VARIANT as JSON text/);
  });

  it('turns array binds of a one-row INSERT into one multi-row INSERT, and repeats anything else', () => {
    const insert = bindSql('insert into t values (?, ?)', {
      '1': { type: 'FIXED', value: ['1', '2'] },
      '2': { type: 'TEXT', value: ['a', null] },
    });
    assert.equal(insert.sql, 'insert into t values (?, ?), (?, ?)');
    assert.deepEqual(insert.params, [1, 'a', 2, null]);
    assert.equal(insert.repeated, false);
    const update = bindSql('update t set s = ? where id = ?;', {
      '1': { type: 'TEXT', value: ['x', 'y'] },
      '2': { type: 'FIXED', value: ['1', '2'] },
    });
    assert.equal(update.sql, 'update t set s = ? where id = ?;\nupdate t set s = ? where id = ?');
    assert.equal(update.repeated, true);
    assert.throws(
      () => bindSql('select ?, ?', { '1': { type: 'TEXT', value: ['a'] }, '2': { type: 'TEXT', value: ['a', 'b'] } }),
      /same number of values/,
    );
  });
});
