import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syntheticDataset } from '../../tests/support/algorithm-contract.js';
import { buildTrainset, createRng, getAlgorithm, kFold, type Trial } from '../core/index.js';
import { loadKernels } from '../kernels/index.js';
import { parseSearchRequest } from './search-request.js';
import { runSearch } from './run-search.js';

/** A TPE search that ends by stacking its best trials into a blend, deployable from its parameters. */
describe('search-built blends', () => {
  const ds = syntheticDataset(11, 1);
  const splits = kFold(ds, 3, createRng(4));
  const kernels = loadKernels();
  const rt = { kernels, clock: () => performance.now() };
  const request = {
    algorithms: ['svd', 'baseline', 'bpmf'],
    max_trials: 6,
    time_budget: 120,
    space: {
      svd: { n_factors: { int: [2, 6] }, n_epochs: { int: [5, 20] } },
      bpmf: { n_factors: { int: [2, 4] }, n_epochs: { int: [20, 30] } },
    },
  };

  it('reports the blend of the best trial of each algorithm as one more trial, refits it with its weights as one model', {
    timeout: 300_000,
  }, async () => {
    const plan = parseSearchRequest(request);
    assert.equal(plan.blend, 6);
    const r = await runSearch(plan, splits, 0, rt);
    assert.equal(r.trials.length, 7);
    const blend = r.trials[6];
    assert.equal(blend.algorithm, 'blend');
    assert.equal(blend.status, 'ok');
    assert.equal(blend.folds.length, 3);
    const ok = r.trials.filter((t) => t.status === 'ok');
    assert.equal(r.best?.rmse, Math.min(...ok.map((t) => t.rmse)));
    // Its components are complete trials of the search, the best first, each with that trial's parameters.
    const p = blend.params as { components: { algorithm: string; params: object }[]; weights: number[]; intercept: number };
    const first = ok.filter((t) => t.algorithm !== 'blend').reduce((a, b) => (b.rmse < a.rmse ? b : a));
    assert.deepEqual(p.components[0], { algorithm: first.algorithm, params: first.params });
    for (const c of p.components)
      assert.ok(ok.some((t: Trial) => t.algorithm === c.algorithm && JSON.stringify(t.params) === JSON.stringify(c.params)));
    assert.ok(blend.rmse < first.rmse, `blend ${blend.rmse} vs its best component ${first.rmse}`);
    // Refitting the trial's parameters refits the components and keeps the search's weights.
    const algo = getAlgorithm('blend');
    const model = algo.fit(buildTrainset(ds).trainset, algo.parseConfig(blend.params), { rng: createRng(0), kernels });
    const e = model.extension;
    assert.ok(e?.kind === 'blend');
    assert.deepEqual(e.weights, p.weights);
    assert.equal(e.intercept, p.intercept);
    assert.deepEqual(
      e.components.map((c) => c.algorithm),
      p.components.map((c) => c.algorithm),
    );
  });

  it('builds no blend when asked not to, and refuses a bad blend size by name', { timeout: 300_000 }, async () => {
    const r = await runSearch(parseSearchRequest({ ...request, max_trials: 3, blend: false }), splits, 0, rt);
    assert.equal(r.trials.length, 3);
    assert.ok(r.trials.every((t) => t.algorithm !== 'blend'));
    assert.throws(
      () => parseSearchRequest({ ...request, blend: 1 }),
      /search field blend must be false, 0, or a number of components 2–20, got 1/,
    );
    assert.throws(() => parseSearchRequest({ param_grid: { n_factors: [2] }, blend: 3 }), /search field blend is for tpe searches/);
  });
});
