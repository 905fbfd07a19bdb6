import type { Testset } from './dataset.js';

/** Root mean squared error of predictions against the testset's ratings. */
export function rmse(test: Pick<Testset, 'size' | 'ratings'>, predictions: Float64Array): number {
  let s = 0;
  for (let k = 0; k < test.size; k++) {
    const e = test.ratings[k] - predictions[k];
    s += e * e;
  }
  return Math.sqrt(s / test.size);
}

export function mae(test: Pick<Testset, 'size' | 'ratings'>, predictions: Float64Array): number {
  let s = 0;
  for (let k = 0; k < test.size; k++) s += Math.abs(test.ratings[k] - predictions[k]);
  return s / test.size;
}

export interface RankingMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
  /** Mean average precision: AP@k = Σ_{hits at rank r} precision@r / min(|relevant|, k). */
  readonly map: number;
  /** Users with at least one relevant held-out rating, over which the means are taken. */
  readonly users: number;
}

/**
 * Precision@k, recall@k, NDCG@k and MAP@k (binary relevance) of ranked lists against held-out ratings:
 * an item is relevant when its held-out rating is ≥ threshold. `ranked` holds k inner item ids per
 * user of `users` (-1 padded); the testset must use the same inner ids.
 */
export function rankingMetrics(test: Testset, users: Int32Array, ranked: Int32Array, k: number, threshold: number): RankingMetrics {
  const relevant = new Map<number, Set<number>>();
  for (let x = 0; x < test.size; x++) {
    if (test.users[x] < 0 || test.ratings[x] < threshold) continue;
    let set = relevant.get(test.users[x]);
    if (!set) relevant.set(test.users[x], (set = new Set()));
    set.add(test.items[x]);
  }
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let map = 0;
  let counted = 0;
  for (let ux = 0; ux < users.length; ux++) {
    const rel = relevant.get(users[ux]);
    if (!rel || rel.size === 0) continue;
    let hits = 0;
    let dcg = 0;
    let ap = 0;
    for (let r = 0; r < k; r++) {
      const item = ranked[ux * k + r];
      if (item >= 0 && rel.has(item)) {
        hits++;
        dcg += 1 / Math.log2(r + 2);
        ap += hits / (r + 1);
      }
    }
    let idcg = 0;
    for (let r = 0; r < Math.min(k, rel.size); r++) idcg += 1 / Math.log2(r + 2);
    precision += hits / k;
    recall += hits / rel.size;
    ndcg += dcg / idcg;
    map += ap / Math.min(rel.size, k);
    counted++;
  }
  return counted === 0
    ? { precision: 0, recall: 0, ndcg: 0, map: 0, users: 0 }
    : { precision: precision / counted, recall: recall / counted, ndcg: ndcg / counted, map: map / counted, users: counted };
}

export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(variance) };
}
