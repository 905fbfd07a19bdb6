import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeChunk, encodeResult } from './rowset.js';

describe('encodeResult (Snowflake JSON result format)', () => {
  it('encodes each type as Snowflake sends it', () => {
    const columns = [
      { name: 'N', type: 'NUMBER' },
      { name: 'F', type: 'FLOAT' },
      { name: 'S', type: 'VARCHAR' },
      { name: 'B', type: 'BOOLEAN' },
      { name: 'D', type: 'DATE' },
      { name: 'T', type: 'TIME' },
      { name: 'NTZ', type: 'TIMESTAMP_NTZ' },
      { name: 'TZ', type: 'TIMESTAMP_TZ' },
      { name: 'V', type: 'VARIANT' },
    ];
    const row = [12.25, 0.5, 'a', true, '1970-01-11', '01:00:02.5', '2000-01-01T00:00:01.123', '2000-01-01T02:00:00+02:00', { a: [1] }];
    const { rowtype, rowset } = encodeResult(columns, [row, columns.map(() => null)]);
    assert.deepEqual(
      rowtype.map((c) => c.type),
      ['fixed', 'real', 'text', 'boolean', 'date', 'time', 'timestamp_ntz', 'timestamp_tz', 'variant'],
    );
    assert.equal(rowtype[0].scale, 2, 'NUMBER scale from the values');
    assert.deepEqual(rowset[0], [
      '12.25',
      '0.5',
      'a',
      '1',
      '10',
      '3602.500000000',
      '946684801.123000000',
      // 02:00 at +02:00 is midnight UTC; the offset travels as minutes + 1440.
      '946684800.000000000 1560',
      JSON.stringify({ a: [1] }, null, 2),
    ]);
    assert.deepEqual(rowset[1], Array(columns.length).fill(null));
  });

  it('keeps integers exact, large ones as their decimal text, and dates before 1970 negative', () => {
    const { rowtype, rowset } = encodeResult(
      [
        { name: 'I', type: 'NUMBER' },
        { name: 'D', type: 'DATE' },
      ],
      [
        [42, '1969-12-31'],
        ['123456789012345678901234', '0099-01-01'],
      ],
    );
    assert.equal(rowtype[0].scale, 0);
    assert.deepEqual(rowset, [
      ['42', '-1'],
      ['123456789012345678901234', String(daysSinceEpoch(99, 0, 1))],
    ]);
  });
});

describe('encodeChunk (result chunks as text)', () => {
  it('writes exactly the JSON of the encoded rows, for every type family, without the enclosing brackets', () => {
    const columns = [
      'NUMBER',
      'FLOAT',
      'VARCHAR',
      'BOOLEAN',
      'DATE',
      'TIME',
      'TIMESTAMP_NTZ',
      'TIMESTAMP_LTZ',
      'TIMESTAMP_TZ',
      'VARIANT',
      'ARRAY',
    ].map((type, i) => ({ name: `C${i}`, type }));
    const rows: unknown[][] = [
      [
        1,
        0.25,
        'plain',
        true,
        '2024-02-29',
        '23:59:59.999999',
        '2024-02-29T23:59:59.5',
        '1969-12-31T23:59:59',
        '2000-01-01T02:00:00+02:00',
        { a: 'x"y' },
        [1, 'b'],
      ],
      // Same date as the row before, then a new one: the date cache must follow.
      [
        -12.5,
        Number.NaN,
        'quote " back\\ slash\nnew line\ttab \u0001',
        false,
        '0099-01-01',
        '00:00:00',
        '2024-02-29T00:00:01',
        '2024-03-01T00:00:00.000001',
        '1999-12-31T23:00:00-01:00',
        'text',
        [],
      ],
      columns.map(() => null),
      [
        '123456789012345678901234',
        1e300,
        'ünïcødé ✓',
        true,
        '1970-01-01',
        '12:00:00',
        '9999-12-31T23:59:59.999999999',
        '1000-01-01T00:00:00',
        '2024-06-01T12:00:00Z',
        null,
        null,
      ],
    ];
    const { rowset } = encodeResult(columns, rows);
    assert.equal(encodeChunk(columns, rows, 0, rows.length), JSON.stringify(rowset).slice(1, -1));
    assert.equal(encodeChunk(columns, rows, 1, 3), JSON.stringify(rowset.slice(1, 3)).slice(1, -1));
    assert.deepEqual(JSON.parse(`[${encodeChunk(columns, rows, 0, rows.length)}]`), rowset);
    assert.equal(rowset[1][6], String(Date.UTC(2024, 1, 29) / 1000 + 1) + '.000000000');
  });
});

/** Days since 1970 of a date whose year Date.UTC would misread (0–99 → 1900–1999). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  return Math.floor(d.getTime() / 86_400_000);
}
