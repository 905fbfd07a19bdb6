import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRecpipeError } from '../core/errors.js';
import { formatCsv, formatJson, formatTable, parseOutputFormat } from './format-results.js';
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
});

describe('parseOutputFormat', () => {
  it('accepts table, csv and json in any case and refuses the rest', () => {
    assert.equal(parseOutputFormat('CSV'), 'csv');
    assert.throws(() => parseOutputFormat('xml'), (e: unknown) => isRecpipeError(e) && e.code === 'INVALID_ARGUMENT' && /xml/.test(e.message));
  });
});
