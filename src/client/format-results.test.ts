import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRecpipeError } from '../core/errors.js';
import { formatCsv, formatJson, formatTable, parseOutputFormat, TABLE_CELL_WIDTH } from './format-results.js';
import type { StatementResult } from './sql-client.js';

const result: StatementResult = {
  statement: 'select …',
  kind: 'query',
  columns: [
    { name: 'MOVIEID', type: 'NUMBER(38,0)' },
    { name: 'TITLE', type: 'VARCHAR' },
    { name: 'RECS', type: 'VARIANT' },
  ],
  rows: [
    [1, 'Toy Story (1995)', [2, 3]],
    [1234, 'Say "Hi", all\nnow', null],
  ],
  rowCount: 2,
};

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers, spells NULL and escapes line breaks', () => {
    assert.equal(
      formatTable(result),
      [
        '+---------+--------------------+-------+',
        '| MOVIEID | TITLE              | RECS  |',
        '|---------+--------------------+-------|',
        '|       1 | Toy Story (1995)   | [2,3] |',
        '|    1234 | Say "Hi", all\\nnow | NULL  |',
        '+---------+--------------------+-------+',
        '',
      ].join('\n'),
    );
  });
});

describe('formatTable with long cells', () => {
  const recs = Array.from({ length: 40 }, (_, i) => ({ movieid: 1000 + i, rating: 4.25 }));
  const description = 'A long description '.repeat(20).trim();
  const long: StatementResult = {
    statement: 'select …',
    kind: 'query',
    columns: [
      { name: 'USERID', type: 'NUMBER(38,0)' },
      { name: 'TOP_10_RECOMMENDATIONS', type: 'VARIANT' },
      { name: 'NOTE', type: 'VARCHAR' },
    ],
    rows: [[7, recs, description]],
    rowCount: 1,
  };

  it('wraps VARIANT and long text cells at commas and spaces; csv and json keep them whole', () => {
    const lines = formatTable(long).trimEnd().split('\n');
    const bodyLines = lines.slice(3, -1);
    assert.ok(bodyLines.length > 5, 'the row spans several physical lines');
    for (const l of lines) assert.ok(l.length <= 4 + 6 + 3 + TABLE_CELL_WIDTH + 3 + TABLE_CELL_WIDTH + 2, `line of ${l.length}: ${l}`);
    const column = (j: number) => bodyLines.map((l) => l.split(' | ')[j]!.replace(/^\| /, '').replace(/ \|$/, ''));
    assert.equal(
      column(1)
        .map((c) => c.trimEnd())
        .join(''),
      JSON.stringify(recs),
      'wrapped at commas, nothing lost',
    );
    assert.equal(
      column(2)
        .map((c) => c.trim())
        .filter(Boolean)
        .join(' '),
      description,
      'wrapped at spaces, nothing lost',
    );
    assert.match(bodyLines[0]!, /^\|\s+7 \| /, 'the row starts on its first line');
    assert.match(bodyLines[1]!, /^\|\s+\| /, 'continuation lines leave other columns blank');
    assert.equal(formatCsv(long).split('\n').length, 3);
    assert.equal(formatJson(long), JSON.stringify([{ USERID: 7, TOP_10_RECOMMENDATIONS: recs, NOTE: description }]) + '\n');
  });
});

describe('formatCsv', () => {
  it('quotes fields with commas, quotes or line breaks and leaves NULL empty', () => {
    assert.equal(formatCsv(result), 'MOVIEID,TITLE,RECS\n1,Toy Story (1995),"[2,3]"\n1234,"Say ""Hi"", all\nnow",\n');
  });
});

describe('formatJson', () => {
  it('prints one line: rows as objects keyed by column name', () => {
    const text = formatJson(result);
    assert.equal(text.split('\n').length, 2);
    assert.deepEqual(JSON.parse(text), [
      { MOVIEID: 1, TITLE: 'Toy Story (1995)', RECS: [2, 3] },
      { MOVIEID: 1234, TITLE: 'Say "Hi", all\nnow', RECS: null },
    ]);
  });

  it('keeps every column of the same name, in order', () => {
    const twice: StatementResult = {
      ...result,
      columns: [
        { name: 'X', type: 'NUMBER' },
        { name: 'X', type: 'VARCHAR' },
      ],
      rows: [[1, 'a']],
      rowCount: 1,
    };
    assert.equal(formatJson(twice), '[{"X":1,"X":"a"}]\n');
  });
});

describe('parseOutputFormat', () => {
  it('accepts table, csv and json in any case and refuses the rest', () => {
    assert.equal(parseOutputFormat('CSV'), 'csv');
    assert.throws(
      () => parseOutputFormat('xml'),
      (e: unknown) => isRecpipeError(e) && e.code === 'INVALID_ARGUMENT' && /xml/.test(e.message),
    );
  });
});
