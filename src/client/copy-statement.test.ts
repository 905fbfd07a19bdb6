import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isRecpipeError, type ErrorCode } from '../core/errors.js';
import { copyIntoStatement, stringLiteral } from './copy-statement.js';
import { objectNameSql } from './identifiers.js';

const fails = (code: ErrorCode, pattern: RegExp) => (e: unknown) => isRecpipeError(e) && e.code === code && pattern.test(e.message);

describe('objectNameSql', () => {
  it('keeps plain names unquoted and re-quotes quoted parts', () => {
    assert.equal(objectNameSql('ratings', 'table'), 'ratings');
    assert.equal(objectNameSql('MOVIELENS.public.Ratings_2$', 'table'), 'MOVIELENS.public.Ratings_2$');
    assert.equal(objectNameSql('movielens."My ""odd"" table.v1"', 'table'), 'movielens."My ""odd"" table.v1"');
  });

  it('refuses anything that is not a 1–3 part identifier', () => {
    for (const bad of ['', 'a.b.c.d', 'ratings; drop table movies', 'r--x', '1abc', 'a..b', 'a.', '"open', '"a"b', '""', 'a b', "t'"]) {
      assert.throws(() => objectNameSql(bad, 'table name'), fails('INVALID_ARGUMENT', /table name/), bad);
    }
  });
});

describe('copyIntoStatement', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "it's 100%.csv");
  writeFileSync(file, 'a\n1\n');

  it('builds the COPY with an absolute, percent-encoded file URL, doubled quotes and the file format', () => {
    assert.equal(
      copyIntoStatement({
        table: 'movielens.public.ratings',
        file: "it's 100%.csv",
        fileFormat: 'MOVIELENS."My fmt"',
        onError: 'Continue',
        cwd: dir,
      }),
      `copy into movielens.public.ratings from 'file://${dir}/it''s%20100%25.csv' file_format = (format_name = 'MOVIELENS."My fmt"') on_error = CONTINUE`,
    );
    assert.doesNotMatch(copyIntoStatement({ table: 't', file, fileFormat: 'f', cwd: '/' }), /on_error|force/);
    assert.match(copyIntoStatement({ table: 't', file, fileFormat: 'f', force: true, cwd: '/' }), /\) force = true$/);
  });

  it('refuses missing files, directories, unknown on-error actions and bad names', () => {
    assert.throws(() => copyIntoStatement({ table: 't', file: 'nope.csv', fileFormat: 'f', cwd: dir }), fails('NOT_FOUND', /nope\.csv/));
    assert.throws(
      () => copyIntoStatement({ table: 't', file: dir, fileFormat: 'f', cwd: '/' }),
      fails('INVALID_ARGUMENT', /not a regular file/),
    );
    assert.throws(
      () => copyIntoStatement({ table: 't', file, fileFormat: 'f', onError: 'ignore', cwd: '/' }),
      fails('INVALID_ARGUMENT', /on-error/),
    );
    assert.throws(
      () => copyIntoStatement({ table: 't', file, fileFormat: 'f) on_error=(x', cwd: '/' }),
      fails('INVALID_ARGUMENT', /file format name/),
    );
  });

  it('writes string literals that cannot be broken out of', () => {
    assert.equal(stringLiteral("a'b\\c"), "'a''b\\\\c'");
  });
});
