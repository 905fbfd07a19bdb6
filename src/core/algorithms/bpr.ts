import type { Trainset } from '../dataset.js';
import { invalid } from '../errors.js';
import type { FactorModel } from '../model.js';
import { implicitModel } from './implicit-model.js';
import { parseParams, type ParamSpecs } from './params.js';
import { initFactors } from './svd.js';
import type { Algorithm } from './types.js';

export interface BprConfig {
  readonly nFactors: number;
  /** Each epoch draws as many (u, i, j) triples as there are ratings. */
  readonly nEpochs: number;
  readonly lrAll: number;
  readonly regPu: number;
  readonly regQi: number;
  readonly regBi: number;
  readonly initStdDev: number;
}

const reg = { type: 'number', min: 0, group: 'reg' } as const;

const specs: ParamSpecs<BprConfig> = {
  nFactors: { type: 'int', min: 1, max: 4096, aliases: ['factors', 'k'] },
  nEpochs: { type: 'int', min: 0, max: 100_000, aliases: ['epochs', 'iterations'] },
  lrAll: { type: 'number', min: 0, aliases: ['lr', 'learning_rate'] },
  regPu: reg,
  regQi: reg,
  regBi: reg,
  initStdDev: { type: 'number', min: 0, aliases: ['init_std'] },
};

const defaults: BprConfig = { nFactors: 64, nEpochs: 60, lrAll: 0.05, regPu: 0.005, regQi: 0.005, regBi: 0.005, initStdDev: 0.1 };

/**
 * Bayesian Personalised Ranking (Rendle et al. 2009) of a biased factor model x_ui = b_i + p_uᵀq_i:
 * LearnBPR's SGD on ln σ(x_ui − x_uj) − λ‖Θ‖² over triples drawn with the seeded generator — a
 * rated pair (u, i) uniformly, then an item j the user did not rate uniformly. Every rated item
 * counts as a positive. A ranking model: scores are relevance, not ratings.
 */
export const bpr: Algorithm<BprConfig> = {
  id: 'bpr',
  displayName: 'BPR',
  ranksOnly: true,
  defaults,
  parseConfig: (raw) => parseParams('bpr', defaults, specs, ['reg'], raw),
  epochs: (c) => c.nEpochs,
  fit(ts: Trainset, c: BprConfig, ctx): FactorModel {
    const k = c.nFactors;
    const P = initFactors(ts.nUsers, k, 0, c.initStdDev, ctx.rng);
    const Q = initFactors(ts.nItems, k, 0, c.initStdDev, ctx.rng);
    const bi = new Float32Array(ts.nItems);
    const rated = sortedRows(ts);
    const owner = new Int32Array(ts.nRatings);
    for (let u = 0; u < ts.nUsers; u++) owner.fill(u, ts.userPtr[u], ts.userPtr[u + 1]);
    const { itemIdx, userPtr, nRatings, nItems } = ts;
    const state = { nFactors: k, userFactors: P, itemFactors: Q, itemBias: bi };
    const rates = { lr: c.lrAll, regPu: c.regPu, regQi: c.regQi, regBi: c.regBi };
    const draws = { count: 0, users: new Int32Array(nRatings), pos: new Int32Array(nRatings), neg: new Int32Array(nRatings) };
    for (let epoch = 0; epoch < c.nEpochs; epoch++) {
      // The draws do not depend on the parameters: an epoch's are made first, then run by the kernels.
      draws.count = 0;
      for (let s = 0; s < nRatings; s++) {
        const x = ctx.rng.int(nRatings);
        const u = owner[x];
        if (userPtr[u + 1] - userPtr[u] >= nItems) continue; // she rated everything: no negative exists
        let j = ctx.rng.int(nItems);
        while (has(rated, userPtr[u], userPtr[u + 1], j)) j = ctx.rng.int(nItems);
        draws.users[draws.count] = u;
        draws.pos[draws.count] = itemIdx[x];
        draws.neg[draws.count++] = j;
      }
      const loss = ctx.kernels.bprEpoch(state, draws, rates);
      if (!Number.isFinite(loss)) throw invalid(`BPR diverged in epoch ${epoch + 1}; lower lr_all (${c.lrAll})`);
      ctx.onEpoch?.(epoch + 1, draws.count === 0 ? 0 : loss / draws.count);
    }
    return implicitModel('bpr', ts, k, P, Q, bi);
  },
};

/** Each user's rated items, sorted, at the trainset's offsets (for membership by binary search). */
function sortedRows(ts: Trainset): Int32Array {
  const out = ts.itemIdx.slice();
  for (let u = 0; u < ts.nUsers; u++) out.subarray(ts.userPtr[u], ts.userPtr[u + 1]).sort();
  return out;
}

function has(sorted: Int32Array, lo: number, end: number, v: number): boolean {
  let hi = end - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === v) return true;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
