import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignTable, formatDuration, shortTime } from './text-table.js';

describe('alignTable', () => {
  it('pads columns to the widest cell, right-aligns the marked ones and leaves no trailing spaces', () => {
    const text = alignTable(
      ['NAME', 'RMSE', 'NOTE'],
      [
        ['a', '0.9', ''],
        ['longer-name', '12.25', 'x'],
      ],
      [false, true, false],
    );
    assert.equal(text, ['NAME          RMSE  NOTE', 'a              0.9', 'longer-name  12.25  x', ''].join('\n'));
  });
});

describe('formatDuration and shortTime', () => {
  it('picks a unit by size', () => {
    assert.deepEqual([0.123, 42.34, 185, 7260].map(formatDuration), ['0.12 s', '42.3 s', '3m 05s', '2h 01m']);
  });

  it('shows ISO times to the second, UTC', () => {
    assert.equal(shortTime('2024-01-31T15:45:02.123Z'), '2024-01-31 15:45:02');
    assert.equal(shortTime(null), '-');
  });
});
