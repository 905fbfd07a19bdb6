import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sparkline } from './sparkline.js';

describe('sparkline', () => {
  it('draws the series between its first and last values', () => {
    assert.equal(sparkline([1, 0.5, 0]), '1.0000 █▅▁ 0.0000');
    assert.equal(sparkline([2, 2], 1), '2.0 ▁▁ 2.0');
    assert.equal(sparkline([]), '');
  });
});
