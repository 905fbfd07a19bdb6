import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from '../tokens.js';
import { bulkValues, expandValues } from './bulk-values.js';

const bulk = (sql: string) => bulkValues(sql, tokenize(sql));

describe('bulk VALUES of bind markers (array binds)', () => {
  it('finds the head of an INSERT whose tuples are markers alone', () => {
    assert.deepEqual(bulk('insert into t (a, b) values (?, ?), (?, ?), (?,?);'), { head: 'insert into t (a, b) values (?, ?)', tuples: 3 });
    assert.deepEqual(bulk('INSERT INTO t VALUES (?), (?)'), { head: 'INSERT INTO t VALUES (?)', tuples: 2 });
  });

  it('leaves other statements alone: one tuple, expressions, uneven tuples, a query', () => {
    for (const sql of [
      'insert into t values (?, ?)',
      'insert into t values (?, upper(?)), (?, upper(?))',
      'insert into t values (?, ?), (?)',
      "insert into t values (?, 'x'), (?, 'y')",
      'select * from t where a in ((?), (?))',
      'insert into t select * from (values (?), (?))',
    ])
      assert.equal(bulk(sql), null, sql);
  });

  it('repeats the rendered tuple, or says it cannot', () => {
    assert.equal(expandValues('INSERT INTO "D"."S"."T" VALUES (?, ?)', 3), 'INSERT INTO "D"."S"."T" VALUES (?, ?), (?, ?), (?, ?)');
    assert.equal(expandValues('INSERT INTO T SELECT ?', 3), null);
  });
});
