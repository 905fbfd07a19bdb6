import { subset, type Dataset, type Testset, type Trainset } from './dataset.js';
import { invalid } from './errors.js';
import { topNFor } from './families/dispatch.js';
import { bestOf } from './fold-in.js';
import type { Kernels } from './kernels.js';
import { rankingMetrics } from './metrics.js';
import type { FactorModel } from './model.js';
import type { Rng } from './random.js';
import { exclusionsOf, itemIdRank } from './top-n.js';

/**
 * Per-user time-ordered holdout: each user's last `n` ratings by timestamp (ties, and datasets
 * without timestamps, by data order) form the test part. A user with `n` ratings or fewer stays
 * whole in the training part (there would be nothing left to learn her from), and is not ranked.
 */
export function lastNHoldout(ds: Dataset, n: number): { train: Dataset; test: Dataset; byTime: boolean } {
  if (!Number.isSafeInteger(n) || n < 1) throw invalid(`the holdout must keep at least one rating per user, got last:${n}`);
  const byUser: number[][] = Array.from({ length: ds.userIds.size }, () => []);
  for (let r = 0; r < ds.size; r++) byUser[ds.users[r]].push(r);
  const t = ds.timestamps;
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of byUser) {
    if (t) rows.sort((a, b) => t[a] - t[b] || a - b);
    const cut = rows.length > n ? rows.length - n : rows.length;
    for (let x = 0; x < rows.length; x++) (x < cut ? train : test).push(rows[x]);
  }
  // Data order within each part, as the loaders give it.
  const part = (rows: number[]) => subset(ds, Int32Array.from(rows.sort((a, b) => a - b)));
  return { train: part(train), test: part(test), byTime: t !== undefined };
}

/** Ranking figures of one recommender over the same users and held-out ratings. */
export interface RankingFigures {
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
  readonly map: number;
  /** Share of the catalogue (trainset items) that appears in some list. */
  readonly coverage: number;
  /** Mean self-information −log2(share of users who rated the item) of recommended items (Zhou et al. 2010). */
  readonly novelty: number;
}

export interface RankingReport {
  readonly k: number;
  readonly threshold: number;
  /** Users ranked: those with a relevant held-out rating (rating ≥ threshold). */
  readonly users: number;
  readonly model: RankingFigures;
  readonly popularity: RankingFigures;
  readonly random: RankingFigures;
}

export interface RankingOptions {
  readonly k: number;
  /** A held-out rating at or above it is relevant (default 4, on a 5-star scale). */
  readonly threshold?: number;
  readonly kernels: Kernels;
  /** For the random baseline. */
  readonly rng: Rng;
}

/**
 * Top-k lists of `model` (fit on `ts`) for every user of `test`, beside two baselines over the same
 * users, each list leaving out what the user rated in `ts`: popularity (items by how many users
 * rated them in `ts`) and random (k unrated items drawn uniformly with `rng`). The test set uses
 * the trainset's inner ids (buildTestset); rows of users or items the trainset never saw are left out.
 */
export function evaluateRanking(model: FactorModel, ts: Trainset, test: Testset, opts: RankingOptions): RankingReport {
  const { k, kernels, rng } = opts;
  const threshold = opts.threshold ?? 4;
  if (!Number.isSafeInteger(k) || k < 1) throw invalid(`k must be a positive integer, got ${k}`);
  const seen = new Uint8Array(ts.nUsers);
  const list: number[] = [];
  for (let x = 0; x < test.size; x++) {
    const u = test.users[x];
    if (u >= 0 && !seen[u]) list.push(u);
    if (u >= 0) seen[u] = 1;
  }
  const users = Int32Array.from(list);
  const rank = itemIdRank(ts.itemIds);
  const count = new Float64Array(ts.nItems);
  for (let x = 0; x < ts.nRatings; x++) count[ts.itemIdx[x]]++;
  const figures = (ranked: Int32Array): RankingFigures => {
    const m = rankingMetrics(test, users, ranked, k, threshold);
    return { precision: m.precision, recall: m.recall, ndcg: m.ndcg, map: m.map, ...spread(ranked, count, ts.nUsers) };
  };
  const modelLists = topNFor(model, users, exclusionsOf(ts), k, rank, kernels).items;
  const byPopularity = bestOf(count, null, ts.nItems, rank);
  const popular = new Int32Array(users.length * k).fill(-1);
  const random = new Int32Array(users.length * k).fill(-1);
  const rated = new Uint8Array(ts.nItems);
  users.forEach((u, x) => {
    for (let p = ts.userPtr[u]; p < ts.userPtr[u + 1]; p++) rated[ts.itemIdx[p]] = 1;
    for (let r = 0, w = 0; r < byPopularity.length && w < k; r++) if (!rated[byPopularity[r]]) popular[x * k + w++] = byPopularity[r];
    drawUnrated(rated, ts.nItems - (ts.userPtr[u + 1] - ts.userPtr[u]), random.subarray(x * k, x * k + k), rng);
    for (let p = ts.userPtr[u]; p < ts.userPtr[u + 1]; p++) rated[ts.itemIdx[p]] = 0;
  });
  return {
    k,
    threshold,
    users: rankingMetrics(test, users, modelLists, k, threshold).users,
    model: figures(modelLists),
    popularity: figures(popular),
    random: figures(random),
  };
}

/** Fills `out` with distinct items not marked in `rated`, uniformly at random (fewer when fewer remain, -1 padded). */
function drawUnrated(rated: Uint8Array, unrated: number, out: Int32Array, rng: Rng): void {
  const want = Math.min(out.length, unrated);
  if (want <= 0) return;
  if (unrated <= 2 * out.length) {
    // Few candidates: shuffle them all and take the first ones.
    const all: number[] = [];
    for (let i = 0; i < rated.length; i++) if (!rated[i]) all.push(i);
    for (let x = 0; x < want; x++) {
      const y = x + rng.int(all.length - x);
      [all[x], all[y]] = [all[y], all[x]];
      out[x] = all[x];
    }
    return;
  }
  const taken = new Set<number>();
  // Rejection sampling: at least half of the draws land on an unrated item.
  for (let x = 0; x < want; ) {
    const i = rng.int(rated.length);
    if (rated[i] || taken.has(i)) continue;
    taken.add(i);
    out[x++] = i;
  }
}

/** Catalogue coverage and mean novelty of lists (-1 entries are padding). */
function spread(ranked: Int32Array, count: Float64Array, nUsers: number): { coverage: number; novelty: number } {
  const shown = new Uint8Array(count.length);
  let distinct = 0;
  let info = 0;
  let n = 0;
  for (const i of ranked) {
    if (i < 0) continue;
    if (!shown[i]) distinct++;
    shown[i] = 1;
    info += -Math.log2(Math.max(count[i], 1) / nUsers);
    n++;
  }
  return { coverage: count.length === 0 ? 0 : distinct / count.length, novelty: n === 0 ? 0 : info / n };
}

/** The report as a text table: one row per recommender, the baselines beside the model. */
export function formatRankingTable(r: RankingReport, label = 'model'): string {
  const head = ['', `P@${r.k}`, `R@${r.k}`, `NDCG@${r.k}`, `MAP@${r.k}`, 'Coverage', 'Novelty'];
  const row = (name: string, f: RankingFigures) => [
    name,
    ...[f.precision, f.recall, f.ndcg, f.map, f.coverage].map((v) => v.toFixed(4)),
    f.novelty.toFixed(2),
  ];
  const rows = [head, row(label, r.model), row('popularity', r.popularity), row('random', r.random)];
  const width = head.map((_, c) => Math.max(...rows.map((x) => x[c].length)) + 2);
  return [
    `Ranking: top-${r.k} lists of ${r.users} users with a held-out rating ≥ ${r.threshold}`,
    ...rows.map((x) => x.map((cell, c) => (c === 0 ? cell.padEnd(width[c]) : cell.padStart(width[c]))).join('')),
  ].join('\n');
}
