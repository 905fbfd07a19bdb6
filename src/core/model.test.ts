import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tinyModel } from '../../tests/support/tiny-model-fixture.js';
import { factorEstimate, factorScores } from './model.js';

describe('factorScores', () => {
  // 30 items: seven blocks of four and a remainder of two.
  const biased = tinyModel(7);
  const unbiased = { ...biased, biased: false };
  for (const [name, m] of [
    ['biased', biased],
    ['unbiased', unbiased],
  ] as const)
    it(`gives every item's factorEstimate to the last bit (${name})`, () => {
      assert.equal(m.itemIds.length % 4, 2);
      const out = new Float64Array(m.itemIds.length);
      for (let u = 0; u < m.userIds.length; u++) {
        factorScores(m, u, out);
        for (let i = 0; i < out.length; i++) assert.equal(out[i], factorEstimate(m, u, i), `user ${u} item ${i}`);
      }
    });
});
