import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endsStatement, splitStatements } from './sql-text.js';

describe('splitStatements', () => {
  it('cuts at ; and reports the line each statement starts on', () => {
    const script = 'use role sysadmin;\n\n-- the tables\ncreate table t (\n  a int\n);\nselect 1';
    assert.deepEqual(splitStatements(script), [
      { text: 'use role sysadmin', line: 1 },
      { text: 'create table t (\n  a int\n)', line: 4 },
      { text: 'select 1', line: 7 },
    ]);
  });

  it('ignores ; inside strings, quoted identifiers, $$ bodies and comments (which end no statement text)', () => {
    const script = [
      "select 'a;b', 'it''s;', 'x\\';y' as \"c;d\";",
      '/* a; b\n; */ select $$ body; $$; // c; d',
      'select 2 -- e; f',
      ';',
    ].join('\n');
    assert.deepEqual(
      splitStatements(script).map((s) => [s.text, s.line]),
      [
        ["select 'a;b', 'it''s;', 'x\\';y' as \"c;d\"", 1],
        ['select $$ body; $$', 3],
        ['select 2', 4],
      ],
    );
  });

  it('passes an unterminated string on whole and skips empty statements', () => {
    assert.deepEqual(splitStatements(";;\n select 'oops; ; "), [{ text: "select 'oops; ;", line: 2 }]);
    assert.deepEqual(splitStatements('  -- only a comment\n'), []);
    assert.deepEqual(splitStatements('\f\u00a0;\r\n\tselect 1;'), [{ text: 'select 1', line: 2 }]);
  });
});

describe('endsStatement', () => {
  it('is true only when a ; outside quotes and comments ends the buffer', () => {
    assert.equal(endsStatement('select 1;'), true);
    assert.equal(endsStatement('select 1; -- trailing comment'), true);
    assert.equal(endsStatement('select 1'), false);
    assert.equal(endsStatement("select ';"), false);
    assert.equal(endsStatement('select 1; select'), false);
    assert.equal(endsStatement('/* ; */'), false);
    assert.equal(endsStatement('select 1 /* ;'), false);
    assert.equal(endsStatement(';'), false);
  });
});
