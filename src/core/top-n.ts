import { compareIds } from './ids.js';
import { topNFor } from './families/dispatch.js';
import type { Kernels, Exclusions, TopNResult } from './kernels.js';
import type { FactorModel } from './model.js';
import type { Trainset } from './dataset.js';

/** Rank of each item's raw id in id order: the deterministic tie-breaker of top-N lists. */
export function itemIdRank(itemIds: readonly string[]): Int32Array {
  const order = itemIds.map((_, i) => i).sort((a, b) => compareIds(itemIds[a], itemIds[b]));
  const rank = new Int32Array(itemIds.length);
  order.forEach((item, r) => (rank[item] = r));
  return rank;
}

export const exclusionsOf = (ts: Trainset): Exclusions => ({ userPtr: ts.userPtr, itemIdx: ts.itemIdx });

export interface UserRecommendations {
  readonly user: string;
  readonly items: string[];
  readonly scores: number[];
}

/**
 * Top-n unrated items for every user of the model, in user order (Surprise's anti-testset → predict
 * → sort, without materialising the anti-testset). Ties: higher unclipped estimate, then lower item id.
 */
export function recommendAll(model: FactorModel, ts: Trainset, n: number, kernels: Kernels): UserRecommendations[] {
  const users = allUsers(model);
  return recommendationLists(model, n, topNFor(model, users, exclusionsOf(ts), n, itemIdRank(model.itemIds), kernels));
}

export const allUsers = (model: FactorModel): Int32Array => Int32Array.from({ length: model.userIds.length }, (_, u) => u);

/** Raw-id lists from a top-n result over every user (users.length × n, -1 padded). */
export function recommendationLists(model: FactorModel, n: number, { items, scores }: TopNResult): UserRecommendations[] {
  const out: UserRecommendations[] = [];
  for (let u = 0; u < model.userIds.length; u++) {
    const ids: string[] = [];
    const sc: number[] = [];
    for (let r = 0; r < n && items[u * n + r] >= 0; r++) {
      ids.push(model.itemIds[items[u * n + r]]);
      sc.push(scores[u * n + r]);
    }
    out.push({ user: model.userIds[u], items: ids, scores: sc });
  }
  return out;
}
