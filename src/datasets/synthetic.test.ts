import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syntheticMovieLens } from './synthetic.js';
import { ratingsFromText } from '../../tests/support/ratings-text.js';

describe('syntheticMovieLens', () => {
  it('produces MovieLens-shaped files that load without errors, the same for the same seed', () => {
    const a = syntheticMovieLens(50, 200, 30, 1);
    assert.equal(a.ratingsCsv, syntheticMovieLens(50, 200, 30, 1).ratingsCsv);
    const { dataset, duplicates } = ratingsFromText(a.ratingsCsv, { source: 'synthetic' });
    assert.equal(duplicates.count, 0);
    assert.equal(dataset.userIds.size, 50);
    assert.ok(dataset.scale.min >= 0.5 && dataset.scale.max <= 5);
    assert.match(a.moviesCsv.split('\r\n')[0], /^movieId,title,genres$/);
    assert.equal(a.moviesCsv.trim().split('\r\n').length, 201);
  });
});
