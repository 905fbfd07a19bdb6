import { createRng, shuffleInPlace } from '../core/index.js';

/** MovieLens-100K's shape: 943 users, 1,682 items, 100,000 ratings, every user with at least 20. */
export const ML100K_SHAPE = { users: 943, items: 1_682, ratings: 100_000, minPerUser: 20 } as const;

/**
 * The generator's model, fixed from MovieLens-100K's published statistics and not tuned to any
 * algorithm: r = clip(round(μ + b_u + b_i + p_u·q_i + ε), 1, 5) with μ 3.65 (clipping brings the mean
 * rating to ml-100k's 3.53), sd(b_u) 0.45,
 * sd(b_i) 0.45 (+0.25 per sd of log popularity: popular films rate higher), 10 taste factors
 * worth a variance of 0.2, and noise sd 0.85 (so that the floor sits below the ~.89 the best published
 * models reach on the real file). The best any model can do is that floor (`oracleRmse`);
 * what a search finds here is not a figure for the real data set.
 */
const MODEL = { mean: 3.65, userBiasSd: 0.45, itemBiasSd: 0.45, popularityBias: 0.25, factors: 10, tasteVariance: 0.2, noiseSd: 0.85 };

export interface Ml100kShaped {
  /** `user<TAB>item<TAB>rating<TAB>timestamp` lines, no header, as ml-100k's u.data. */
  readonly tsv: string;
  /** RMSE of predicting every rating by its noiseless, unrounded mean (clipped): a floor for any model. */
  readonly oracleRmse: number;
}

/** MovieLens-100K-shaped ratings for machines without the real file: same seed, same bytes. */
export function movielens100kShaped(seed = 100): Ml100kShaped {
  const rng = createRng(seed);
  const { users, items, ratings, minPerUser } = ML100K_SHAPE;
  // Item popularity is Zipf-like over a shuffled id order (ids do not give popularity away).
  const popularity = Float64Array.from({ length: items }, (_, r) => 1 / (r + 10) ** 0.9);
  const cdf = new Float64Array(items);
  popularity.reduce((acc, p, i) => (cdf[i] = acc + p), 0);
  const idOfRank = shuffleInPlace(
    Int32Array.from({ length: items }, (_, i) => i + 1),
    rng,
  );
  const logPop = Array.from(popularity, (p) => Math.log(p));
  const lpMean = logPop.reduce((a, b) => a + b, 0) / items;
  const lpSd = Math.sqrt(logPop.reduce((a, b) => a + (b - lpMean) ** 2, 0) / items);
  const k = MODEL.factors;
  const factorSd = Math.sqrt(Math.sqrt(MODEL.tasteVariance / k));
  const draw = (n: number, sd: number) => Float64Array.from({ length: n }, () => sd * rng.normal());
  const bu = draw(users, MODEL.userBiasSd);
  const bi = Float64Array.from(
    { length: items },
    (_, r) => MODEL.itemBiasSd * rng.normal() + (MODEL.popularityBias * (logPop[r] - lpMean)) / lpSd,
  );
  // Ratings fall mostly on popular items: centre the item biases as the ratings weigh them, so the mean rating stays μ.
  const weighted = bi.reduce((a, b, r) => a + b * popularity[r], 0) / cdf[items - 1];
  for (let r = 0; r < items; r++) bi[r] -= weighted;
  const P = draw(users * k, factorSd);
  const Q = draw(items * k, factorSd);
  // Activity: at least 20 each, the rest shared out by log-normal weights (a long tail, as in ml-100k).
  const weights = Array.from({ length: users }, () => Math.exp(rng.normal()));
  const total = weights.reduce((a, b) => a + b, 0);
  const spare = ratings - users * minPerUser;
  const counts = weights.map((w) => Math.min(items >> 1, minPerUser + Math.floor((spare * w) / total)));
  for (let left = ratings - counts.reduce((a, b) => a + b, 0), u = 0; left > 0; u = (u + 1) % users) {
    if (counts[u] < items >> 1) {
      counts[u]++;
      left--;
    }
  }
  const lines: string[] = [];
  let sse = 0;
  const start = 874_724_710;
  for (let u = 0; u < users; u++) {
    const seen = new Set<number>();
    while (seen.size < counts[u]) seen.add(pick(cdf, rng.next() * cdf[items - 1]));
    for (const r of seen) {
      let dot = 0;
      for (let f = 0; f < k; f++) dot += P[u * k + f] * Q[r * k + f];
      const mean = MODEL.mean + bu[u] + bi[r] + dot;
      const rating = Math.min(5, Math.max(1, Math.round(mean + MODEL.noiseSd * rng.normal())));
      sse += (rating - Math.min(5, Math.max(1, mean))) ** 2;
      lines.push(`${u + 1}\t${idOfRank[r]}\t${rating}\t${start + Math.floor(rng.next() * 18_000_000)}`);
    }
  }
  // u.data is not grouped by user; neither is this (the order fixes SGD's visiting order).
  const order = shuffleInPlace(
    Int32Array.from(lines, (_, i) => i),
    rng,
  );
  return { tsv: `${Array.from(order, (i) => lines[i]).join('\n')}\n`, oracleRmse: Math.sqrt(sse / ratings) };
}

/** The first index whose cumulative weight exceeds x (binary search). */
function pick(cdf: Float64Array, x: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
