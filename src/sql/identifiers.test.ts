import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDatabaseName, parseObjectName, resolveTableName } from './identifiers.js';

describe('parseObjectName', () => {
  it('upper-cases unquoted parts and keeps quoted parts', () => {
    assert.deepEqual(parseObjectName('MOVIELENS.PUBLIC.ratings_train_data'), ['MOVIELENS', 'PUBLIC', 'RATINGS_TRAIN_DATA']);
    assert.deepEqual(parseObjectName('"MyDb".public."t.x"'), ['MyDb', 'PUBLIC', 't.x']);
    assert.deepEqual(parseObjectName('ratings'), ['RATINGS']);
  });

  it('rejects malformed names', () => {
    for (const bad of ['', 'a.', '.a', 'a.b.c.d', 'a b', "'a'", 'a..b']) {
      assert.throws(() => parseObjectName(bad), /invalid object name/, bad);
    }
  });
});

describe('resolveTableName', () => {
  const ctx = { database: 'MOVIELENS', schema: 'PUBLIC' };

  it('resolves one, two and three parts against the session', () => {
    assert.deepEqual(resolveTableName(['T'], ctx), { database: 'MOVIELENS', schema: 'PUBLIC', name: 'T' });
    assert.deepEqual(resolveTableName(['S', 'T'], ctx), { database: 'MOVIELENS', schema: 'S', name: 'T' });
    assert.deepEqual(resolveTableName(['D', 'S', 'T'], { database: null, schema: null }), { database: 'D', schema: 'S', name: 'T' });
  });

  it('maps RECPIPE.x to the system catalog', () => {
    assert.deepEqual(resolveTableName(['RECPIPE', 'LOAD_HISTORY'], ctx), { database: 'RECPIPE', schema: 'PUBLIC', name: 'LOAD_HISTORY' });
  });

  it('says what is missing when the session has no current database or schema', () => {
    assert.throws(
      () => resolveTableName(['T'], { database: null, schema: null }, 'SELECT'),
      /Cannot perform SELECT\. This session does not have a current database/,
    );
    assert.throws(
      () => resolveTableName(['T'], { database: 'D', schema: null }, 'INSERT'),
      /Cannot perform INSERT\. This session does not have a current schema/,
    );
  });
});

describe('checkDatabaseName', () => {
  it('accepts file-safe names and rejects others and the reserved name', () => {
    assert.equal(checkDatabaseName('MOVIELENS_2'), 'MOVIELENS_2');
    assert.throws(() => checkDatabaseName('a/b'), /not supported/);
    assert.throws(() => checkDatabaseName('my db'), /not supported/);
    assert.throws(() => checkDatabaseName('recpipe'), /reserved/);
  });
});
