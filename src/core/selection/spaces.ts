import { algorithmIds, getAlgorithm } from '../algorithms/index.js';
import type { Algorithm } from '../algorithms/types.js';
import { invalid } from '../errors.js';
import { parseSpace, type SearchSpace } from './search-space.js';

/**
 * Default search spaces of the built-in algorithms, in Surprise's parameter names, wide enough for
 * explicit ratings on a 1–5 scale. An algorithm may carry its own (`searchSpace`); a search request
 * may override either.
 */
const DEFAULT_SPACES: Readonly<Record<string, Record<string, unknown>>> = {
  svd: {
    n_factors: { logint: [10, 200] },
    n_epochs: { int: [10, 100] },
    lr_all: { loguniform: [0.001, 0.03] },
    reg_all: { loguniform: [0.005, 0.3] },
  },
  svdpp: {
    n_factors: { logint: [5, 100] },
    n_epochs: { int: [10, 60] },
    lr_all: { loguniform: [0.001, 0.02] },
    reg_all: { loguniform: [0.005, 0.3] },
  },
  baseline: {
    method: ['als'],
    reg_u: { uniform: [0, 30] },
    reg_i: { uniform: [0, 30] },
    n_epochs: { int: [3, 30] },
  },
};

/** The space searched for an algorithm: the request's, else the algorithm's own, else the built-in default. */
export function searchSpaceOf(algo: Algorithm & { readonly searchSpace?: unknown }, override?: unknown): SearchSpace {
  const raw = override ?? algo.searchSpace ?? DEFAULT_SPACES[algo.id];
  if (raw === undefined) throw invalid(`algorithm ${algo.id} has no default search space; give one in the search's space.${algo.id}`);
  return parseSpace(raw, `space of ${algo.id}`);
}

/** The registered algorithms a search can take without being given a space. */
export const searchableAlgorithmIds = (): string[] =>
  algorithmIds().filter((id) => {
    const algo: Algorithm & { readonly searchSpace?: unknown } = getAlgorithm(id);
    return algo.searchSpace !== undefined || DEFAULT_SPACES[algo.id] !== undefined;
  });
