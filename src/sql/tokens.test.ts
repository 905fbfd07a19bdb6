import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitStatements, tokenize } from './tokens.js';

describe('tokenize', () => {
  it('upper-cases unquoted words and keeps quoted identifiers exactly', () => {
    const t = tokenize('select movieId, "movieId", "a""b" from Ratings');
    assert.deepEqual(
      t.map((x) => [x.kind, x.value]),
      [
        ['word', 'SELECT'],
        ['word', 'MOVIEID'],
        ['punct', ','],
        ['quoted', 'movieId'],
        ['punct', ','],
        ['quoted', 'a"b'],
        ['word', 'FROM'],
        ['word', 'RATINGS'],
      ],
    );
  });

  it("unescapes '' and Snowflake's backslash escapes in strings, and reads $$ strings raw", () => {
    const t = tokenize(`'it''s' '\\\\N' 'a\\tb' $$raw 'x' \\n$$`);
    assert.deepEqual(
      t.map((x) => x.value),
      ["it's", '\\N', 'a\tb', "raw 'x' \\n"],
    );
  });

  it('skips --, // and /* */ comments and tracks lines', () => {
    const t = tokenize('select 1 -- one\n// two\n/* three\n */ , 2.5e3');
    assert.deepEqual(
      t.map((x) => [x.value, x.line]),
      [
        ['SELECT', 1],
        ['1', 1],
        [',', 4],
        ['2.5e3', 4],
      ],
    );
  });

  it('reads an unquoted file URL as one word, not a // comment', () => {
    const text = 'PUT file:///tmp/my data.csv @~/in; GET @~ file:///out/';
    const t = tokenize(text);
    assert.deepEqual(
      t.map((x) => x.value),
      ['PUT', 'FILE:///TMP/MY', 'DATA', '.', 'CSV', '@', '~', '/', 'IN', ';', 'GET', '@', '~', 'FILE:///OUT/'],
    );
    assert.equal(text.slice(t[1].start, t[1].end), 'file:///tmp/my');
    assert.equal(splitStatements(text).length, 2);
  });

  it('reads multi-character operators and parameters', () => {
    assert.deepEqual(
      tokenize('a::int <> ? || b >= c').map((x) => x.value),
      ['A', '::', 'INT', '<>', '?', '||', 'B', '>=', 'C'],
    );
  });

  it('names the line and position of an unterminated string', () => {
    assert.throws(() => tokenize("select 1;\nselect 'abc"), /unterminated string literal at line 2, position 8/);
    assert.throws(() => tokenize('select "abc'), /unterminated quoted identifier/);
    assert.throws(() => tokenize('select 1 /* open'), /unterminated \/\* comment/);
  });
});

describe('splitStatements', () => {
  it('splits at top-level semicolons only (not in strings, identifiers, comments or $$ bodies)', () => {
    const text = `select 'a;b' ; -- c;d
select "x;y" from t /* ; */;
select $$ ; $$;;  `;
    const st = splitStatements(text);
    assert.deepEqual(
      st.map((s) => s.text),
      ["select 'a;b'", 'select "x;y" from t', 'select $$ ; $$'],
    );
    assert.deepEqual(
      st.map((s) => [s.index, s.line]),
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    );
  });

  it('returns no statements for blank or comment-only text', () => {
    assert.equal(splitStatements('  ;; -- nothing\n').length, 0);
  });
});
