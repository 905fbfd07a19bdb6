import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalid } from '../errors.js';
import { createRng } from '../random.js';
import type { CvResult } from './cross-validate.js';
import { modelSearch, type StagedEvaluator } from './model-search.js';
import type { CandidateEvaluator } from './search-cv.js';
import { getAlgorithm } from '../algorithms/index.js';
import { nestParams, parseSpace, sampleSpace, spaceToJson } from './search-space.js';
import { searchableAlgorithmIds, searchSpaceOf } from './spaces.js';
import { suggestTpe, type Observation } from './tpe.js';

/** A made-up objective with a known optimum (lr 0.01, reg 0.1 for svd; baseline a flat 0.9), shaped as a CV result. */
function objective(algorithm: string, params: Readonly<Record<string, unknown>>): number {
  if (algorithm === 'baseline') return 0.9;
  const lr = Number(params.lr_all);
  const reg = Number(params.reg_all);
  return 0.85 + (Math.log10(lr) + 2) ** 2 * 0.02 + (Math.log10(reg) + 1) ** 2 * 0.02;
}
const asCv = (rmse: number): CvResult => {
  const fold = { rmse, mae: rmse * 0.8, fitTime: 0.01, testTime: 0, trainRmse: [] };
  return {
    algorithm: 'x',
    folds: [fold, fold],
    mean: { rmse, mae: rmse * 0.8, fitTime: 0.01, testTime: 0 },
    std: { rmse: 0, mae: 0, fitTime: 0, testTime: 0 },
  };
};

const svdSpace = parseSpace({ lr_all: { loguniform: [1e-4, 1] }, reg_all: { loguniform: [1e-3, 10] } }, 'space');
const baselineSpace = parseSpace({ reg_u: { uniform: [0, 30] } }, 'space');

function run(sampler: 'tpe' | 'random', seed: number, n: number): number {
  const rng = createRng(seed);
  const spaces = new Map([['svd', svdSpace]]);
  const history: Observation[] = [];
  for (let t = 0; t < n; t++) {
    const s = sampler === 'tpe' ? suggestTpe(spaces, history, t, rng) : { algorithm: 'svd', params: sampleSpace(svdSpace, rng) };
    history.push({ ...s, loss: objective(s.algorithm, s.params) });
  }
  return Math.min(...history.map((h) => h.loss));
}

describe('TPE sampler', () => {
  it('finds lower losses than random search with the same number of trials', () => {
    let wins = 0;
    for (let seed = 0; seed < 8; seed++) if (run('tpe', seed, 40) < run('random', seed, 40)) wins++;
    assert.ok(wins >= 6, `TPE beat random search on ${wins} of 8 seeds`);
    assert.ok(run('tpe', 0, 60) < 0.851);
  });

  it('is reproducible from its seed and keeps every draw inside its bounds', () => {
    const spaces = new Map([['svd', parseSpace({ n_factors: { logint: [1, 9] }, n_epochs: { int: [3, 5] }, method: ['a', 'b'] }, 's')]]);
    const draw = (seed: number) => {
      const rng = createRng(seed);
      const h: Observation[] = [];
      for (let t = 0; t < 30; t++) {
        const s = suggestTpe(spaces, h, t, rng);
        h.push({ ...s, loss: Number(s.params.n_factors) + Number(s.params.n_epochs) });
      }
      return h;
    };
    const h = draw(3);
    assert.deepEqual(h, draw(3));
    for (const o of h) {
      const { n_factors: f, n_epochs: e, method } = o.params as { n_factors: number; n_epochs: number; method: string };
      assert.ok(Number.isInteger(f) && f >= 1 && f <= 9 && Number.isInteger(e) && e >= 3 && e <= 5 && ['a', 'b'].includes(method));
    }
    // The model's half (after the 8 prior draws) leans to the low end, where the loss is lowest.
    const late = h.slice(15).reduce((a, o) => a + Number(o.params.n_factors), 0) / 15;
    assert.ok(late < 4, `mean n_factors of late trials ${late}`);
  });

  it('tries every algorithm first, then favours the better one', () => {
    const rng = createRng(1);
    const spaces = new Map([
      ['svd', svdSpace],
      ['baseline', baselineSpace],
    ]);
    const h: Observation[] = [];
    for (let t = 0; t < 40; t++) {
      const s = suggestTpe(spaces, h, t, rng);
      h.push({ ...s, loss: objective(s.algorithm, s.params) });
    }
    assert.deepEqual(
      h.slice(0, 4).map((o) => o.algorithm),
      ['svd', 'baseline', 'svd', 'baseline'],
    );
    const lateSvd = h.slice(20).filter((o) => o.algorithm === 'svd').length;
    assert.ok(lateSvd >= 14, `svd in ${lateSvd} of the last 20 trials`);
  });
});

/** Two algorithms over the same space, told apart only by what their trials cost. */
const twoSpaces = new Map([
  ['svd', svdSpace],
  ['svdpp', svdSpace],
]);

describe('cost-aware TPE', () => {
  /** Two algorithms equally good on the same objective, `slow` 20× slower per fold: the cheap one's share of the late trials. */
  function cheapShare(slow: string): number {
    const rng = createRng(3);
    const spaces = twoSpaces;
    const h: Observation[] = [];
    for (let t = 0; t < 60; t++) {
      const s = suggestTpe(spaces, h, t, rng);
      h.push({ ...s, loss: objective('svd', s.params), seconds: s.algorithm === slow ? 20 : 1 });
    }
    return h.slice(30).filter((o) => o.algorithm !== slow).length / 30;
  }

  it('spends the budget where the expected gain per second is highest, whichever algorithm is the slow one', () => {
    for (const slow of ['svd', 'svdpp']) {
      const share = cheapShare(slow);
      assert.ok(share >= 0.7, `slow ${slow}: the cheap algorithm in ${share} of the late trials`);
    }
  });

  it('balances seconds, not trial counts, in the prior phase once costs are known', () => {
    const rng = createRng(0);
    const spaces = twoSpaces;
    const h: Observation[] = [];
    for (let t = 0; t < 8; t++) {
      const s = suggestTpe(spaces, h, t, rng);
      h.push({ ...s, loss: 0.9, seconds: s.algorithm === 'svdpp' ? 10 : 1 });
    }
    assert.deepEqual(
      h.map((o) => o.algorithm),
      ['svd', 'svdpp', 'svd', 'svd', 'svd', 'svd', 'svd', 'svd'],
    );
  });
});

describe('model-based search with a time budget', () => {
  it('stops a trial after its first fold when it is far behind the best on that fold', async () => {
    const runs: number[][] = [];
    const staged: StagedEvaluator = {
      folds: 5,
      async run(a, p, which) {
        runs.push([...which]);
        const rmse = objective(a, p);
        return which.map(() => ({ rmse, mae: rmse * 0.8, fitTime: 0.01, testTime: 0, trainRmse: [] }));
      },
    };
    const r = await modelSearch(staged, {
      spaces: new Map([['svd', svdSpace]]),
      timeBudgetSeconds: 60,
      maxTrials: 30,
      rng: createRng(0),
      clock: () => 0,
    });
    const pruned = r.trials.filter((t) => t.status === 'pruned');
    assert.ok(pruned.length > 0, 'some trials were pruned');
    for (const t of pruned) {
      assert.equal(t.folds.length, 1);
      assert.ok(r.best && t.rmse > r.best.rmse + 0.005, `pruned at ${t.rmse}, best ${r.best?.rmse}`);
    }
    // Each pruned trial ran one fold; each complete one ran fold 1, then the other four.
    assert.equal(runs.length, 30 + (30 - pruned.length));
    assert.ok(r.trials.filter((t) => t.status === 'ok').every((t) => t.folds.length === 5));
    assert.equal(r.best?.rmse, Math.min(...r.trials.filter((t) => t.status === 'ok').map((t) => t.rmse)));
  });

  it('stops starting trials once the budget is spent, and reports the best', async () => {
    let now = 0;
    const evaluate: CandidateEvaluator = async (a, p) => {
      now += 1000; // each trial takes one second of the injected clock
      return asCv(objective(a, p));
    };
    const r = await modelSearch(evaluate, {
      spaces: new Map([['svd', svdSpace]]),
      timeBudgetSeconds: 12,
      rng: createRng(0),
      clock: () => now,
    });
    assert.equal(r.trials.length, 12);
    assert.equal(r.stoppedBy, 'time budget');
    assert.equal(r.elapsedSeconds, 12);
    const best = Math.min(...r.trials.map((t) => t.rmse));
    assert.equal(r.best?.rmse, best);
    assert.deepEqual(
      r.trials.map((t) => t.number),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  it('gives a tie to the lower trial number (as rankTrials orders the tables), whichever lane finishes first', async () => {
    let calls = 0;
    const evaluate: CandidateEvaluator = async () => {
      // Trial 1 finishes after trial 2; both score the same.
      if (++calls === 1) await new Promise((r) => setTimeout(r, 30));
      return asCv(0.9);
    };
    const r = await modelSearch(evaluate, {
      spaces: new Map([['svd', svdSpace]]),
      timeBudgetSeconds: 60,
      maxTrials: 2,
      concurrency: 2,
      rng: createRng(0),
      clock: () => 0,
    });
    assert.equal(r.trials.length, 2);
    assert.equal(r.best?.number, 1);
  });

  it('runs trials concurrently up to max_trials, records refused and diverged trials as failed, and fails on other errors', async () => {
    let inFlight = 0;
    let peak = 0;
    let calls = 0;
    const evaluate: CandidateEvaluator = async (a, p) => {
      const call = ++calls;
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (call === 2) throw invalid('parameter x refused');
      if (call === 3) return asCv(Number.NaN);
      return asCv(objective(a, p));
    };
    const opts = {
      spaces: new Map([['svd', svdSpace]]),
      timeBudgetSeconds: 60,
      maxTrials: 9,
      concurrency: 3,
      rng: createRng(0),
      clock: () => 0,
    };
    const r = await modelSearch(evaluate, opts);
    assert.equal(r.trials.length, 9);
    assert.equal(r.stoppedBy, 'max trials');
    assert.equal(peak, 3);
    const failed = r.trials.filter((t) => t.status === 'failed');
    assert.deepEqual(failed.map((t) => t.error).sort(), ['parameter x refused', 'the fit diverged (non-finite predictions)']);
    assert.ok(r.best && r.best.status === 'ok');
    await assert.rejects(
      modelSearch(async () => {
        throw new Error('disk on fire');
      }, opts),
      /disk on fire/,
    );
  });

  it('checks every space against its algorithm before the budget starts', async () => {
    await assert.rejects(
      modelSearch(async () => asCv(1), {
        spaces: new Map([['svd', parseSpace({ n_factor: [3] }, 'space')]]),
        timeBudgetSeconds: 5,
        rng: createRng(0),
        clock: () => 0,
      }),
      /unknown parameter 'n_factor' for algorithm svd/,
    );
  });
});

describe('known-good centres and the default spaces', () => {
  it('starts each algorithm at its centre and centres the prior there', () => {
    const space = parseSpace(
      { lr_all: { loguniform: [1e-4, 1], centre: 0.01 }, n_epochs: { int: [5, 50], centre: 20 }, reg_all: { loguniform: [1e-3, 1] } },
      'space',
    );
    assert.deepEqual(spaceToJson(space).lr_all, { loguniform: [1e-4, 1], centre: 0.01 });
    const spaces = new Map([
      ['svd', space],
      ['baseline', baselineSpace],
    ]);
    const rng = createRng(4);
    const first = suggestTpe(spaces, [], 0, rng);
    assert.equal(first.algorithm, 'svd');
    assert.equal(first.params.lr_all, 0.01);
    assert.equal(first.params.n_epochs, 20);
    // A dimension without a centre is drawn.
    assert.ok(Number(first.params.reg_all) >= 1e-3 && Number(first.params.reg_all) <= 1);
    // Later prior draws are not the centre.
    const later = suggestTpe(spaces, [{ ...first, loss: 1 }], 2, rng);
    assert.notEqual(later.params.lr_all, 0.01);
    for (const [raw, message] of [
      [{ x: { uniform: [0, 1], centre: 2 } }, /space\.x: centre must be a number within \[0, 1\], got 2/],
      [{ x: { choice: [1, 2], centre: 1 } }, /space\.x: a centre is for ranges/],
    ] as const)
      assert.throws(() => parseSpace(raw, 'space'), message);
  });

  it('searches ALS and timeSVD by default, leaves timeSVD out without timestamps and refuses ranking models by name', () => {
    assert.ok(searchableAlgorithmIds().includes('als'));
    assert.ok(searchableAlgorithmIds().includes('timesvd'));
    assert.ok(!searchableAlgorithmIds(false).includes('timesvd'));
    for (const id of ['wrmf', 'bpr', 'ease']) {
      assert.ok(!searchableAlgorithmIds().includes(id));
      assert.throws(() => searchSpaceOf(getAlgorithm(id)), new RegExp(`${id} is a ranking model: its scores are relevance, not ratings`));
    }
    // Every default space is valid for its algorithm, its centre included.
    for (const id of searchableAlgorithmIds()) {
      const algo = getAlgorithm(id);
      const centre = suggestTpe(new Map([[id, searchSpaceOf(algo)]]), [], 0, createRng(0));
      assert.doesNotThrow(() => algo.parseConfig(nestParams(centre.params)), id);
    }
  });
});
