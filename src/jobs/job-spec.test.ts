import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { svd } from '../core/index.js';
import { parseJobSpec } from './job-spec.js';
import { JOB_NAME_PATTERN, newJobName } from './job-name.js';

const input = { database: 'MOVIELENS', schema: 'PUBLIC', name: 'RATINGS_TRAIN_DATA' };
const output = { database: 'MOVIELENS', schema: 'PUBLIC', name: 'USER_MOVIE_RECOMMENDATIONS' };

describe('job spec', () => {
  it("fills in the guide's defaults: SVD() with 5-fold cross-validation, top 10, one day at most", () => {
    const spec = parseJobSpec({ input, output });
    assert.deepEqual(
      { ...spec, hyperparameters: undefined },
      { input, output, algorithm: 'svd', hyperparameters: undefined, folds: 5, topN: 10, seed: 0, maxRuntimeSeconds: 86_400 },
    );
    assert.deepEqual(spec.hyperparameters, svd.defaults);
  });

  it("accepts Surprise's names and class names, storing the complete parsed config", () => {
    const spec = parseJobSpec({ input, output, algorithm: 'SVDpp', hyperparameters: { n_factors: 7, lr_all: '0.01' } });
    assert.equal(spec.algorithm, 'svdpp');
    assert.equal(spec.hyperparameters.nFactors, 7);
    assert.equal(spec.hyperparameters.lrBu, 0.01);
    assert.equal(spec.hyperparameters.lrYj, 0.01);
  });

  it('names the field in every refusal', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ input: undefined }, /input table is missing/],
      [{ output: { database: 'MOVIELENS', schema: 'PUBLIC', name: '' } }, /output table name must not be empty/],
      [{ output: { database: 'MOVIELENS', schema: 42, name: 'X' } }, /output table: schema must be a string, got 42/],
      [{ output: { ...input, name: 'ratings_train_data' } }, /input and output are the same table MOVIELENS\.PUBLIC\.RATINGS_TRAIN_DATA/],
      [{ hyperparameters: [1] }, /hyperparameters must be an object/],
      [{ folds: 2.5 }, /folds must be an integer in 0\.\.100, got 2\.5/],
      [{ seed: '1' }, /seed must be an integer/],
      [{ maxRuntimeSeconds: 29 * 24 * 3600 }, /maxRuntimeSeconds must be an integer in 1\.\.2419200/],
    ];
    for (const [overrides, message] of cases) {
      assert.throws(
        () => parseJobSpec({ input, output, ...overrides } as never),
        { code: 'INVALID_ARGUMENT', message },
        JSON.stringify(overrides),
      );
    }
  });
});

describe('job names', () => {
  it('are train-<UTC yyyyMMdd-HHmmss>-<4 hex>, never one already taken', () => {
    const now = new Date(Date.UTC(2024, 0, 31, 15, 45, 2));
    const taken = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const name = newJobName(now, (n) => taken.has(n));
      assert.match(name, /^train-20240131-154502-[0-9a-f]{4}$/);
      assert.match(name, JOB_NAME_PATTERN);
      assert.ok(!taken.has(name));
      taken.add(name);
    }
  });
});
