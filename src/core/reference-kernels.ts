import type { Trainset } from './dataset.js';
import { solveSpd } from './cholesky.js';
import type {
  BprDraws,
  BprRates,
  BprState,
  EpochHook,
  Exclusions,
  HeldOutRatings,
  Kernels,
  SvdRates,
  SvdState,
  TopNResult,
  RatingRows,
} from './kernels.js';
import { clip, type FactorModel, factorEstimate } from './model.js';

/**
 * Plain TypeScript kernels: the readable definition of the math, and the fallback where
 * WebAssembly is unavailable. The WebAssembly build must agree with these.
 */
export const referenceKernels: Kernels = {
  name: 'typescript',
  svdSgd,
  topN,
  sumRows,
  gram,
  invertSpd,
  bprEpoch,
  wrmfSide,
  bpmfRows,
};

function bpmfRows(
  side: RatingRows,
  F: Float64Array,
  G: Float64Array,
  k: number,
  mu: number,
  alpha: number,
  precision: Float64Array,
  priorH: Float64Array,
  normals: Float64Array,
): number {
  const { nRows, ptr, idx, ratings } = side;
  const d = k + 1;
  const A = new Float64Array(d * d);
  const h = new Float64Array(d);
  const z = new Float64Array(d);
  for (let r = 0; r < nRows; r++) {
    A.set(precision);
    h.set(priorH);
    for (let p = ptr[r]; p < ptr[r + 1]; p++) {
      const g = idx[p] * d;
      for (let f = 0; f < k; f++) z[f] = G[g + f];
      z[k] = 1;
      const target = alpha * (ratings[p] - mu - G[g + k]);
      // Lower triangle only: the Cholesky reads no more.
      for (let i = 0; i < d; i++) {
        const zi = alpha * z[i];
        h[i] += z[i] * target;
        const row = i * d;
        for (let j = 0; j <= i; j++) A[row + j] += zi * z[j];
      }
    }
    if (!solveSpd(A, h, d)) return r;
    // Λ* = LLᵀ: the mean Λ*⁻¹h, plus L⁻ᵀ·n, which has covariance Λ*⁻¹.
    for (let i = d - 1; i >= 0; i--) {
      let s = normals[r * d + i];
      for (let c = i + 1; c < d; c++) s -= A[c * d + i] * z[c];
      z[i] = s / A[i * d + i];
    }
    for (let i = 0; i < d; i++) F[r * d + i] = h[i] + z[i];
  }
  return -1;
}

function wrmfSide(side: RatingRows, F: Float32Array, H: Float32Array, HtH: Float64Array, k: number, reg: number, alpha: number): number {
  const { nRows, ptr, idx, ratings } = side;
  const A = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  for (let r = 0; r < nRows; r++) {
    A.set(HtH);
    for (let d = 0; d < k; d++) A[d * k + d] += reg;
    rhs.fill(0);
    for (let p = ptr[r]; p < ptr[r + 1]; p++) {
      const h = idx[p] * k;
      const conf = 1 + alpha * ratings[p];
      // + (c − 1)·h hᵀ on the lower triangle, + c·h on the right-hand side (preference 1).
      for (let a = 0; a < k; a++) {
        const ha = H[h + a];
        rhs[a] += conf * ha;
        const w = (conf - 1) * ha;
        for (let b = 0; b <= a; b++) A[a * k + b] += w * H[h + b];
      }
    }
    if (!solveSpd(A, rhs, k)) return r;
    for (let f = 0; f < k; f++) F[r * k + f] = rhs[f];
  }
  return -1;
}

function bprEpoch(s: BprState, d: BprDraws, rates: BprRates): number {
  // Locals, not property loads in the loop: V8 does not hoist them (see timesvd.ts).
  const { nFactors: k, userFactors: P, itemFactors: Q, itemBias: bi } = s;
  const { lr, regPu, regQi, regBi } = rates;
  let loss = 0;
  for (let t = 0; t < d.count; t++) {
    const i = d.pos[t];
    const j = d.neg[t];
    const pu = d.users[t] * k;
    const qi = i * k;
    const qj = j * k;
    let diff = bi[i] - bi[j];
    for (let f = 0; f < k; f++) diff += P[pu + f] * (Q[qi + f] - Q[qj + f]);
    // g = σ(−x_uij) = ∂ ln σ(x_uij) / ∂ x_uij.
    const g = 1 / (1 + Math.exp(diff));
    loss += diff > 0 ? Math.log1p(Math.exp(-diff)) : Math.log1p(Math.exp(diff)) - diff;
    bi[i] += lr * (g - regBi * bi[i]);
    bi[j] += lr * (-g - regBi * bi[j]);
    for (let f = 0; f < k; f++) {
      const puf = P[pu + f];
      const qif = Q[qi + f];
      const qjf = Q[qj + f];
      P[pu + f] = puf + lr * (g * (qif - qjf) - regPu * puf);
      Q[qi + f] = qif + lr * (g * puf - regQi * qif);
      Q[qj + f] = qjf + lr * (-g * puf - regQi * qjf);
    }
  }
  return loss;
}

function gram(rated: Exclusions, pos: Int32Array, n: number): Float64Array {
  const G = new Float64Array(n * n);
  const rows: number[] = [];
  for (let u = 0; u + 1 < rated.userPtr.length; u++) {
    rows.length = 0;
    for (let x = rated.userPtr[u]; x < rated.userPtr[u + 1]; x++) if (pos[rated.itemIdx[x]] >= 0) rows.push(pos[rated.itemIdx[x]]);
    for (const a of rows) for (const b of rows) G[a * n + b] += 1;
  }
  return G;
}

/**
 * Gauss-Jordan elimination without pivoting (safe for SPD: every pivot is a positive Schur
 * complement), one pivot at a time. n³ multiply-adds.
 */
function invertSpd(A: Float64Array, n: number): number {
  const rowK = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const piv = A[k * n + k];
    if (!(piv > 0)) return k;
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
  return -1;
}

function sumRows(matrix: Float32Array, width: number, rows: Int32Array, out: Float64Array): void {
  out.fill(0, 0, width);
  for (const r of rows) {
    const row = matrix.subarray(r * width, r * width + width);
    for (let c = 0; c < width; c++) out[c] += row[c];
  }
}

/**
 * Biased SVD by SGD (Funk; Koren, Bell & Volinsky 2009, eq. 5), exactly as Surprise orders it:
 *   e = r − (μ + b_u + b_i + q_iᵀp_u)
 *   b_u ← b_u + γ_bu (e − λ_bu b_u);  b_i ← b_i + γ_bi (e − λ_bi b_i)
 *   p_u ← p_u + γ_pu (e q_i − λ_pu p_u);  q_i ← q_i + γ_qi (e p_u − λ_qi q_i)   (both from old values)
 * Unbiased: e = r − q_iᵀp_u and the biases stay zero.
 */
function svdSgd(ts: Trainset, s: SvdState, rates: SvdRates, nEpochs: number, onEpoch?: EpochHook, heldOut?: HeldOutRatings): void {
  const { userPtr, itemIdx, ratings } = ts;
  const { userBias: bu, itemBias: bi, userFactors: P, itemFactors: Q, nFactors: k, biased } = s;
  const mu = biased ? ts.globalMean : 0;
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    let sse = 0;
    for (let u = 0; u < ts.nUsers; u++) {
      const pu = u * k;
      for (let x = userPtr[u]; x < userPtr[u + 1]; x++) {
        const i = itemIdx[x];
        const qi = i * k;
        let dot = 0;
        for (let f = 0; f < k; f++) dot += Q[qi + f] * P[pu + f];
        const err = biased ? ratings[x] - (mu + bu[u] + bi[i] + dot) : ratings[x] - dot;
        sse += err * err;
        if (biased) {
          bu[u] += rates.lrBu * (err - rates.regBu * bu[u]);
          bi[i] += rates.lrBi * (err - rates.regBi * bi[i]);
        }
        for (let f = 0; f < k; f++) {
          const puf = P[pu + f];
          const qif = Q[qi + f];
          P[pu + f] = puf + rates.lrPu * (err * qif - rates.regPu * puf);
          Q[qi + f] = qif + rates.lrQi * (err * puf - rates.regQi * qif);
        }
      }
    }
    // Updated in place: `state` is always current.
    onEpoch?.(epoch + 1, Math.sqrt(sse / ts.nRatings), noSync, heldOut && heldOutRmse(ts, s, heldOut));
  }
}

/** RMSE of the state's clipped factor estimates on held-out ratings (what `predictTestset` would give). */
function heldOutRmse(ts: Trainset, s: SvdState, h: HeldOutRatings): number {
  const m = { ...s, globalMean: ts.globalMean } as FactorModel;
  let sse = 0;
  for (let k = 0; k < h.size; k++) sse += (h.ratings[k] - clip(factorEstimate(m, h.users[k], h.items[k]), ts.scale)) ** 2;
  return Math.sqrt(sse / h.size);
}

const noSync = (): void => undefined;

/** Exhaustive scoring with a bounded insertion list per user: O(items · k) per user, no allocation per item. */
function topN(model: FactorModel, users: Int32Array, exclude: Exclusions, n: number, itemRank: Int32Array): TopNResult {
  const nItems = model.itemIds.length;
  const k = model.nFactors;
  const outItems = new Int32Array(users.length * n).fill(-1);
  const outScores = new Float32Array(users.length * n).fill(Number.NaN);
  const bestEst = new Float64Array(n);
  const bestItem = new Int32Array(n);
  const excluded = new Uint8Array(nItems);
  for (let ux = 0; ux < users.length; ux++) {
    const u = users[ux];
    for (let x = exclude.userPtr[u]; x < exclude.userPtr[u + 1]; x++) excluded[exclude.itemIdx[x]] = 1;
    let filled = 0;
    const base = model.biased ? model.globalMean + model.userBias[u] : 0;
    for (let i = 0; i < nItems; i++) {
      if (excluded[i]) continue;
      let est = model.biased ? base + model.itemBias[i] : 0;
      for (let f = 0; f < k; f++) est += model.userFactors[u * k + f] * model.itemFactors[i * k + f];
      if (filled === n && !better(est, i, bestEst[n - 1], bestItem[n - 1], itemRank)) continue;
      let at = filled < n ? filled++ : n - 1;
      while (at > 0 && better(est, i, bestEst[at - 1], bestItem[at - 1], itemRank)) {
        bestEst[at] = bestEst[at - 1];
        bestItem[at] = bestItem[at - 1];
        at--;
      }
      bestEst[at] = est;
      bestItem[at] = i;
    }
    for (let x = 0; x < filled; x++) {
      outItems[ux * n + x] = bestItem[x];
      outScores[ux * n + x] = clip(bestEst[x], model.scale);
    }
    for (let x = exclude.userPtr[u]; x < exclude.userPtr[u + 1]; x++) excluded[exclude.itemIdx[x]] = 0;
  }
  return { items: outItems, scores: outScores };
}

function better(est: number, item: number, otherEst: number, otherItem: number, rank: Int32Array): boolean {
  return est > otherEst || (est === otherEst && rank[item] < rank[otherItem]);
}
