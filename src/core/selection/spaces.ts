import { algorithmIds, getAlgorithm, readsTimestamps } from '../algorithms/index.js';
import type { Algorithm } from '../algorithms/types.js';
import { invalid } from '../errors.js';
import { parseSpace, type SearchSpace } from './search-space.js';

/**
 * Default search spaces of the built-in algorithms, in Surprise's parameter names, wide enough for
 * explicit ratings on a 1–5 scale. Each range's `centre` is a known-good value: the TPE search's first
 * trial of the algorithm and the middle of its prior. SVD's are rounded from what a search found on
 * ml-latest-small (RMSE .849 there); ALS's from a sweep of n_factors and reg on its fold 1; the others
 * are the algorithms' defaults with more epochs. An algorithm may carry its own (`searchSpace`); a
 * search request may override either.
 */
const DEFAULT_SPACES: Readonly<Record<string, Record<string, unknown>>> = {
  svd: {
    n_factors: { logint: [10, 250], centre: 150 },
    n_epochs: { int: [10, 100], centre: 60 },
    lr_all: { loguniform: [0.001, 0.03], centre: 0.01 },
    reg_all: { loguniform: [0.005, 0.3], centre: 0.08 },
  },
  svdpp: {
    n_factors: { logint: [5, 100], centre: 20 },
    n_epochs: { int: [10, 60], centre: 20 },
    lr_all: { loguniform: [0.001, 0.02], centre: 0.007 },
    reg_all: { loguniform: [0.005, 0.3], centre: 0.05 },
  },
  baseline: {
    method: ['als'],
    reg_u: { uniform: [0, 30], centre: 15 },
    reg_i: { uniform: [0, 30], centre: 10 },
    n_epochs: { int: [3, 30], centre: 10 },
  },
  // Its cost grows with n_factors³ (a Cholesky solve per user and item): 100 factors take ~35 CPU-s a fold.
  als: {
    n_factors: { logint: [5, 80], centre: 30 },
    n_epochs: { int: [5, 25], centre: 12 },
    reg: { loguniform: [0.03, 0.5], centre: 0.15 },
  },
  // Gibbs sampling learns its own regularisation, so only the size and the chain's length are searched:
  // 10 factors and 150 sweeps gave .892 on ml-100k's first fold (3 CPU-s), 5 factors .895, 20 .891.
  bpmf: {
    n_factors: { logint: [5, 25], centre: 10 },
    n_epochs: { int: [60, 200], centre: 150 },
  },
  // Item-based with Koren's pearson_baseline: a neighbourhood model errs unlike the factor models, which is what a
  // search-built blend gains from (.9153 alone on ml-100k, 1 CPU-s a fold).
  knnbaseline: {
    k: { logint: [10, 100], centre: 40 },
    sim_options: { name: ['pearson_baseline'], user_based: [false], shrinkage: { uniform: [0, 300], centre: 100 } },
  },
  timesvd: {
    n_factors: { logint: [10, 200], centre: 100 },
    n_epochs: { int: [10, 80], centre: 40 },
    lr_all: { loguniform: [0.001, 0.02], centre: 0.007 },
    reg_all: { loguniform: [0.005, 0.3], centre: 0.08 },
    n_bins: { int: [5, 60], centre: 30 },
    beta: { uniform: [0.1, 0.8], centre: 0.4 },
  },
};

/**
 * Why an algorithm has no place in a search by prediction error: ranking models (EASE, WRMF, BPR)
 * score relevance, not ratings, so their RMSE means nothing (`recpipe evaluate` ranks them).
 */
export function unsearchableReason(algo: Algorithm): string | null {
  return algo.ranksOnly
    ? `${algo.id} is a ranking model: its scores are relevance, not ratings, so a search by RMSE or MAE cannot compare it (rank it with recpipe evaluate)`
    : null;
}

/** The space searched for an algorithm: the request's, else the algorithm's own, else the built-in default. */
export function searchSpaceOf(algo: Algorithm & { readonly searchSpace?: unknown }, override?: unknown): SearchSpace {
  const reason = unsearchableReason(algo);
  if (reason) throw invalid(reason, { algorithm: algo.id });
  const raw = override ?? algo.searchSpace ?? DEFAULT_SPACES[algo.id];
  if (raw === undefined) throw invalid(`algorithm ${algo.id} has no default search space; give one in the search's space.${algo.id}`);
  return parseSpace(raw, `space of ${algo.id}`);
}

/**
 * The registered algorithms a search can take without being given a space; without `timestamps`
 * (ratings with no time) the time-aware ones are left out.
 */
export const searchableAlgorithmIds = (timestamps = true): string[] =>
  algorithmIds().filter((id) => {
    const algo: Algorithm & { readonly searchSpace?: unknown } = getAlgorithm(id);
    if (!timestamps && readsTimestamps(id)) return false;
    return unsearchableReason(algo) === null && (algo.searchSpace !== undefined || DEFAULT_SPACES[algo.id] !== undefined);
  });
