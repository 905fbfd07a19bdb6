import { invalid } from '../errors.js';
import type { Trainset } from '../dataset.js';
import { familyBase, type FactorModel } from '../model.js';
import { parseParams, type ParamSpecs } from './params.js';
import type { Algorithm } from './types.js';

export interface EaseConfig {
  /** λ, the L2 penalty on the item-item weights (Steck's λ). */
  readonly lambda: number;
  /**
   * The most rated items the dense Gram inverse covers (0 = all). Its cost is O(n³) time and
   * 8·n² bytes: 2,000 items take ~32 MB and seconds here; all 9.7k of ml-latest-small would take 750 MB.
   */
  readonly maxItems: number;
}

const specs: ParamSpecs<EaseConfig> = {
  lambda: { type: 'number', min: 0, aliases: ['reg', 'l2'] },
  maxItems: { type: 'int', min: 0, max: 20_000 },
};

const defaults: EaseConfig = { lambda: 250, maxItems: 2000 };

/**
 * EASE^R (Steck 2019, "Embarrassingly Shallow Autoencoders", eq. 8): with the binary user-item
 * matrix X and P = (XᵀX + λI)⁻¹, the item-item weights are B = I − P·diag(1/diag(P)), i.e.
 * B_ij = −P_ij / P_jj off the diagonal and 0 on it. A ranking model: its scores are not ratings.
 */
export const ease: Algorithm<EaseConfig> = {
  id: 'ease',
  displayName: 'EASE',
  ranksOnly: true,
  defaults,
  parseConfig: (raw) => parseParams('ease', defaults, specs, [], raw),
  epochs: () => 0,
  fit(ts: Trainset, c: EaseConfig, { kernels }): FactorModel {
    const count = new Int32Array(ts.nItems);
    for (const i of ts.itemIdx) count[i]++;
    const order = Int32Array.from({ length: ts.nItems }, (_, i) => i).sort((a, b) => count[b] - count[a] || a - b);
    const covered = order.slice(0, c.maxItems > 0 ? Math.min(c.maxItems, ts.nItems) : ts.nItems);
    const n = covered.length;
    const pos = new Int32Array(ts.nItems).fill(-1);
    covered.forEach((i, p) => (pos[i] = p));
    const G = kernels.gram(ts, pos, n);
    for (let d = 0; d < n; d++) G[d * n + d] += c.lambda;
    const failed = kernels.invertSpd(G, n);
    if (failed >= 0) throw invalid(`EASE: the Gram matrix is not positive definite at item ${failed} (lambda must be > 0)`);
    const weights = new Float32Array(n * n);
    for (let r = 0; r < n; r++) for (let col = 0; col < n; col++) if (r !== col) weights[r * n + col] = -G[r * n + col] / G[col * n + col];
    return familyBase('ease', ts, { kind: 'ease', covered, weights, ratedPtr: ts.userPtr, ratedIdx: ts.itemIdx });
  },
};
