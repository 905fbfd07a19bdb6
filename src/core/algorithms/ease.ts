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
  fit(ts: Trainset, c: EaseConfig): FactorModel {
    const count = new Int32Array(ts.nItems);
    for (const i of ts.itemIdx) count[i]++;
    const order = Int32Array.from({ length: ts.nItems }, (_, i) => i).sort((a, b) => count[b] - count[a] || a - b);
    const covered = order.slice(0, c.maxItems > 0 ? Math.min(c.maxItems, ts.nItems) : ts.nItems);
    const n = covered.length;
    const pos = new Int32Array(ts.nItems).fill(-1);
    covered.forEach((i, p) => (pos[i] = p));
    // Gram matrix G = XᵀX over the covered items, from each user's co-rated pairs.
    const G = new Float64Array(n * n);
    const rows: number[] = [];
    for (let u = 0; u < ts.nUsers; u++) {
      rows.length = 0;
      for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) if (pos[ts.itemIdx[x]] >= 0) rows.push(pos[ts.itemIdx[x]]);
      for (const a of rows) for (const b of rows) G[a * n + b] += 1;
    }
    for (let d = 0; d < n; d++) G[d * n + d] += c.lambda;
    invertInPlace(G, n);
    const weights = new Float32Array(n * n);
    for (let r = 0; r < n; r++) for (let col = 0; col < n; col++) if (r !== col) weights[r * n + col] = -G[r * n + col] / G[col * n + col];
    return familyBase('ease', ts, { kind: 'ease', covered, weights, ratedPtr: ts.userPtr, ratedIdx: ts.itemIdx });
  },
};

/**
 * Inverts a symmetric positive definite n × n matrix in place by Gauss-Jordan elimination without
 * pivoting (safe for SPD: every pivot is a positive Schur complement). n³ multiply-adds, row-major.
 */
export function invertInPlace(A: Float64Array, n: number): void {
  const rowK = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const piv = A[k * n + k];
    if (!(piv > 0)) throw invalid(`EASE: the Gram matrix is not positive definite at item ${k} (lambda must be > 0)`);
    const inv = 1 / piv;
    A[k * n + k] = 1;
    for (let j = 0; j < n; j++) A[k * n + j] *= inv;
    rowK.set(A.subarray(k * n, k * n + n));
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const at = i * n;
      const f = A[at + k];
      if (f === 0) continue;
      A[at + k] = 0;
      for (let j = 0; j < n; j++) A[at + j] -= f * rowK[j];
    }
  }
}
