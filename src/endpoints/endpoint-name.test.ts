import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEndpointName } from './endpoint-name.js';

describe('checkEndpointName', () => {
  it('accepts SageMaker endpoint names', () => {
    for (const name of ['movielens-model-v1', 'a', 'A9', 'a--b', 'x'.repeat(63)]) assert.equal(checkEndpointName(name), name);
  });

  it('refuses others, saying which rule', () => {
    assert.throws(() => checkEndpointName(''), /must be 1 to 63 characters long, got 0/);
    assert.throws(() => checkEndpointName('x'.repeat(64)), /must be 1 to 63 characters long, got 64/);
    for (const bad of ['-a', 'a-', 'a_b', 'a/b', '../etc', 'a b', 'é']) {
      assert.throws(() => checkEndpointName(bad), {
        code: 'INVALID_ARGUMENT',
        message: new RegExp(
          `^endpoint name ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid: use letters, digits and hyphens`,
        ),
      });
    }
    assert.throws(() => checkEndpointName(null), /must be a string, got null/);
  });
});
