import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recommendationColumns } from './recommendations-table.js';
import type { TablePlan } from './table-plan.js';
import { columnValue, isIdLists, type TextBytes, type WriteColumn } from '../warehouse/index.js';

/** Each row's JSON text, decoded from the bytes handed to the table writer. */
const texts = (c: WriteColumn): string[] => {
  const { bytes, offsets } = c.values as TextBytes;
  return Array.from({ length: offsets.length - 1 }, (_, u) => Buffer.from(bytes.subarray(offsets[u], offsets[u + 1])).toString('utf8'));
};

const output = (userType: TablePlan['output']['userType']): TablePlan['output'] => ({
  table: { database: 'D', schema: 'S', name: 'OUT' },
  exists: true,
  userColumn: 'userid',
  recommendationsColumn: 'Recommendations',
  userType,
});

const lists = { userIds: ['10', '2', '3'], itemIds: ['7', '1.5', 'x"y'], n: 2, items: Int32Array.of(1, 0, 2, -1, -1, -1) };

describe('recommendations table columns', () => {
  it('writes numeric movie ids as JSON numbers, best first, shorter lists where fewer movies were left', async () => {
    const [users, recs] = await recommendationColumns(output('DOUBLE'), 'float', { ...lists, itemIds: ['7', '1.5', '1e+21'] });
    assert.deepEqual([users.name, users.type, [...(users.values as Float64Array)]], ['userid', 'DOUBLE', [10, 2, 3]]);
    assert.deepEqual([recs.name, recs.type, texts(recs)], ['Recommendations', 'JSON', ['[1.5,7]', '[1e+21]', '[]']]);
    assert.deepEqual(JSON.parse(texts(recs)[1]), [1e21]);
  });

  it('writes text ids as JSON strings and text users as text', async () => {
    const [users, recs] = await recommendationColumns(output('VARCHAR'), 'text', lists);
    assert.deepEqual(users.values, ['10', '2', '3']);
    assert.deepEqual(
      texts(recs).map((v) => JSON.parse(v)),
      [['1.5', '7'], ['x"y'], []],
    );
  });

  it('keeps every row intact with non-ASCII ids and across blocks of rows', async () => {
    const itemIds = ['é', '😀', 'plain', 'a\\b', '\u2028'];
    const rows = 70_000;
    const items = Int32Array.from({ length: rows * 3 }, (_, x) => ((x * 7) % 6) - 1);
    const [, recs] = await recommendationColumns(output('VARCHAR'), 'text', {
      userIds: Array.from({ length: rows }, String),
      itemIds,
      n: 3,
      items,
    });
    const json = texts(recs);
    for (const u of [0, 1, 65_535, 65_536, rows - 1]) {
      const expected: string[] = [];
      for (let r = 0; r < 3 && items[u * 3 + r] >= 0; r++) expected.push(itemIds[items[u * 3 + r]]);
      assert.deepEqual(JSON.parse(json[u]), expected, `row ${u}`);
    }
  });

  it('quotes an id that is not JSON number text even in a numeric column', async () => {
    const [, recs] = await recommendationColumns(output('BIGINT'), 'float', { ...lists, itemIds: ['7', 'inf', '3'] });
    assert.deepEqual(JSON.parse(texts(recs)[0]), ['inf', 7]);
  });

  it('hands integer movie ids over as id lists, whose rows read as the same JSON as the text form', async () => {
    const [, recs] = await recommendationColumns(output('BIGINT'), 'integer', { ...lists, itemIds: ['7', '12', '9007199254740991'] });
    assert.ok(isIdLists(recs.values));
    assert.deepEqual(
      [0, 1, 2].map((u) => columnValue(recs.values, u)),
      ['[12,7]', '[9007199254740991]', '[]'],
    );
    const [, text] = await recommendationColumns(output('BIGINT'), 'integer', { ...lists, itemIds: ['7', '012', '3'] });
    // '012' would print back as 12: the ids go as text, and that id as a JSON string.
    assert.deepEqual(texts(text), ['["012",7]', '[3]', '[]']);
  });
});
