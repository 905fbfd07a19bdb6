/**
 * Scores a model on held-out ratings for deploy decisions: RMSE of its clipped predictions and
 * precision@k of its top-k lists (an item is relevant when its held-out rating ≥ threshold), each
 * over the same held-out rows, so two models compared with it are compared on the same data.
 */
export interface HoldoutRatings {
  readonly users: readonly string[];
  readonly items: readonly string[];
  readonly ratings: ArrayLike<number>;
}

export interface ScoringModel {
  /** Clipped estimates for pairs into `out`. */
  predict(users: readonly string[], items: readonly string[], out: Float64Array): void;
  /** The user's top-k item ids, best first. */
  top(user: string, k: number): readonly string[];
}

export interface HoldoutScore {
  readonly rmse: number;
  readonly precisionAtK: number;
  readonly k: number;
  readonly rows: number;
  /** Users with a relevant held-out item (over whom precision is averaged). */
  readonly rankedUsers: number;
}

export function scoreOnHoldout(model: ScoringModel, h: HoldoutRatings, k = 10, threshold = 4): HoldoutScore {
  const n = h.users.length;
  const predicted = new Float64Array(n);
  model.predict(h.users, h.items, predicted);
  let se = 0;
  for (let r = 0; r < n; r++) se += (predicted[r] - h.ratings[r]) ** 2;
  const relevant = new Map<string, Set<string>>();
  for (let r = 0; r < n; r++) {
    if (h.ratings[r] < threshold) continue;
    let set = relevant.get(h.users[r]);
    if (!set) relevant.set(h.users[r], (set = new Set()));
    set.add(h.items[r]);
  }
  let precision = 0;
  for (const [user, items] of relevant) precision += model.top(user, k).filter((i) => items.has(i)).length / k;
  return {
    rmse: n === 0 ? Number.NaN : Math.sqrt(se / n),
    precisionAtK: relevant.size === 0 ? 0 : precision / relevant.size,
    k,
    rows: n,
    rankedUsers: relevant.size,
  };
}

/**
 * `if_better`: the challenger wins when its RMSE is lower than the champion's by at least `margin`
 * (relative, e.g. 0.01 = 1%) and its precision@k is not lower by more than the same margin.
 */
export function challengerWins(challenger: HoldoutScore, champion: HoldoutScore, margin: number): boolean {
  return challenger.rmse <= champion.rmse * (1 - margin) && challenger.precisionAtK >= champion.precisionAtK * (1 - margin);
}
