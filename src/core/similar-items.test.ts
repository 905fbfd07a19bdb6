import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { similarItems } from './similar-items.js';

describe('similarItems', () => {
  // Four items in two factors: 1 points as 0 does (twice as long), 2 at a right angle, 3 opposite; 4 is zero.
  const factors = Float32Array.from([1, 1, 2, 2, 1, -1, -1, -1, 0, 0]);

  it('ranks the other items by cosine, best first, leaving the item itself and zero vectors out', () => {
    const got = similarItems(factors, 2, 0, 10);
    assert.deepEqual(
      got.map((s) => s.item),
      [1, 2, 3],
    );
    assert.ok(Math.abs(got[0].cosine - 1) < 1e-6, 'same direction, whatever the length');
    assert.ok(Math.abs(got[1].cosine) < 1e-6, 'a right angle');
    assert.ok(Math.abs(got[2].cosine + 1) < 1e-6, 'opposite');
  });

  it('keeps the n best and breaks ties by inner id', () => {
    const ties = Float32Array.from([1, 0, 0, 1, 0, 1, 0, 1]);
    assert.deepEqual(
      similarItems(ties, 2, 0, 2).map((s) => s.item),
      [1, 2],
    );
  });

  it('answers nothing for an unknown item, a zero vector or a model without factors', () => {
    assert.deepEqual(similarItems(factors, 2, 7, 3), []);
    assert.deepEqual(similarItems(factors, 2, 4, 3), []);
    assert.deepEqual(similarItems(new Float32Array(0), 0, 0, 3), []);
  });
});
