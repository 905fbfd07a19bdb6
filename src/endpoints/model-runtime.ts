import {
  clip,
  estimate,
  estimateFolded,
  foldInUser,
  invalid,
  itemIdRank,
  notFound,
  similarItems,
  topNFolded,
  topNFor,
  type Exclusions,
  type FactorModel,
  type FoldedUser,
  type Kernels,
} from '../core/index.js';
import type { LoadedArtifact, Manifest, StoredTopN } from '../artifacts/index.js';
import { loadKernels, type KernelPreference } from '../kernels/index.js';
import { BAD_ID, IdLookup, NULL_ID, badId } from './id-lookup.js';
import type { UserRatings } from './user-ratings.js';

/**
 * Where a user's answers come from: the trained model (a user it was trained on), fold-in (a new
 * user solved from the ratings passed with the request), or the no-ratings fallback: popularity
 * for lists, μ + b_i for single predictions.
 */
export type ScoreSource = 'model' | 'fold-in' | 'popularity' | 'fallback';

/** A user's top-k items, best first, with the same clipped estimates invoke answers for them. */
export interface Recommendation {
  readonly items: string[];
  readonly scores: number[];
  readonly source: 'model' | 'fold-in' | 'popularity';
}

/** The user a request scores for: known to the model, folded in from her ratings, or neither. */
type Subject = { readonly u: number; readonly folded: FoldedUser | null };

/**
 * One loaded artifact, ready to serve: the model, id lookups, and (built on first use) what top-N
 * needs. Immutable once built, so an endpoint switches models by swapping one reference and a batch
 * that started on the old model finishes on it.
 *
 * Recommendations leave out the items a user rated in training, as the guide's top-N does. An
 * artifact written without its trainset does not record them (`rated` null): then nothing is
 * excluded and a rated item can be recommended.
 */
export class ModelRuntime {
  readonly model: FactorModel;
  readonly manifest: Manifest;
  private readonly users: IdLookup;
  private readonly items: IdLookup;
  private readonly rated: Exclusions | null;
  private readonly stored: StoredTopN | null;
  private topN?: { readonly kernels: Kernels; readonly rank: Int32Array; readonly exclude: Exclusions };
  private popular?: Int32Array;
  private rank?: Int32Array;

  constructor(
    artifact: LoadedArtifact,
    private readonly kernelPreference: KernelPreference = 'auto',
  ) {
    this.model = artifact.model;
    this.manifest = artifact.manifest;
    this.rated = artifact.rated;
    this.stored = artifact.topN ?? null;
    this.users = new IdLookup(this.model.userIds);
    this.items = new IdLookup(this.model.itemIds);
  }

  /**
   * Clipped estimates for pairs (Predictor.predict's values exactly) into `out[0..n)`; NaN where
   * either id is NULL. Unknown ids get the model's fallback (see core/model.ts). No allocation per row.
   */
  scoreInto(users: ArrayLike<unknown>, items: ArrayLike<unknown>, out: Float64Array): void {
    const n = users.length;
    if (items.length !== n) throw invalid(`got ${n} user ids but ${items.length} item ids; pass one of each per row`);
    if (out.length < n) throw invalid(`the output array holds ${out.length} values, fewer than the ${n} rows`);
    const m = this.model;
    for (let r = 0; r < n; r++) {
      const u = this.users.find(users[r]);
      const i = this.items.find(items[r]);
      if (u < -1 || i < -1) {
        if (u === BAD_ID) throw badId(`user id at row ${r + 1}`, users[r]);
        if (i === BAD_ID) throw badId(`item id at row ${r + 1}`, items[r]);
        out[r] = Number.NaN;
      } else {
        out[r] = clip(estimate(m, u, i), m.scale);
      }
    }
  }

  /** One clipped estimate; null when either id is NULL. */
  scoreOne(user: unknown, item: unknown): number | null {
    const u = this.users.find(user);
    const i = this.items.find(item);
    if (u === BAD_ID) throw badId('user id', user);
    if (i === BAD_ID) throw badId('item id', item);
    if (u === NULL_ID || i === NULL_ID) return null;
    return clip(estimate(this.model, u, i), this.model.scale);
  }

  /**
   * The user's top-k items among those they did not rate (fewer when fewer remain). A user the model
   * was trained on gets core's recommendAll list (estimate, then item id), `source` "model". A new
   * user with `ratings` on items the model knows is folded in (core/fold-in.ts) and ranked the same
   * way, never getting an item she rated: "fold-in". Anyone else (no ratings, or none on an item
   * the model knows) gets the most popular items: "popularity" (see popularityOrder). Null for a NULL user.
   */
  recommend(user: unknown, k: number, ratings: UserRatings | null = null): Recommendation | null {
    const subject = this.subject(user, ratings, 'user id');
    if (subject === null) return null;
    const n = Math.min(k, this.model.itemIds.length);
    const { u, folded } = subject;
    let inner: Int32Array;
    if (u >= 0) inner = this.knownUsersTop(Int32Array.of(u), n);
    else if (folded) inner = topNFolded(this.model, folded, n, this.itemRank());
    else inner = this.popularityOrder().subarray(0, n);
    return this.listOf(subject, inner, u >= 0 ? 'model' : folded ? 'fold-in' : 'popularity');
  }

  /**
   * recommend(user, k) for every user of a batch, the model's known users ranked in one top-N
   * kernel call (its blocks of users share each pass over the item panels, as the training job's
   * top-N does) rather than one call each: the same lists, a third less CPU over all users.
   */
  recommendMany(users: ArrayLike<unknown>, k: number): (Recommendation | null)[] {
    const out = new Array<Recommendation | null>(users.length).fill(null);
    const inner = new Int32Array(users.length);
    const rows: number[] = [];
    for (let r = 0; r < users.length; r++) {
      const u = this.users.find(users[r]);
      if (u === BAD_ID) throw badId(`user id at row ${r + 1}`, users[r]);
      if (u >= 0) {
        inner[rows.length] = u;
        rows.push(r);
      } else if (u !== NULL_ID) out[r] = this.recommend(users[r], k);
    }
    if (rows.length === 0) return out;
    const n = Math.min(k, this.model.itemIds.length);
    const top = this.knownUsersTop(inner.subarray(0, rows.length), n);
    rows.forEach((r, x) => (out[r] = this.listOf({ u: inner[x], folded: null }, top.subarray(x * n, (x + 1) * n), 'model')));
    return out;
  }

  /** Raw ids and clipped estimates of a top-n list of inner ids (-1 padded). */
  private listOf(subject: Subject, inner: Int32Array, source: Recommendation['source']): Recommendation {
    const items: string[] = [];
    const scores: number[] = [];
    for (let r = 0; r < inner.length && inner[r] >= 0; r++) {
      items.push(this.model.itemIds[inner[r]]);
      scores.push(this.estimateFor(subject, inner[r]));
    }
    return { items, scores, source };
  }

  /**
   * The n items nearest `item` by the cosine of their factor vectors, best first; null for a model
   * without item factors (nothing to compare). An item the model does not know is NOT_FOUND.
   */
  similar(item: unknown, n: number): { items: string[]; cosines: number[] } | null {
    if (this.model.nFactors === 0) return null;
    const i = this.items.find(item);
    if (i === BAD_ID) throw badId('item id', item);
    if (i < 0) throw notFound(`the model has no item ${String(item)}`, { item: String(item) });
    const found = similarItems(this.model.itemFactors, this.model.nFactors, i, n);
    return { items: found.map((f) => this.model.itemIds[f.item]), cosines: found.map((f) => f.cosine) };
  }

  /** Clipped estimate for an item (inner id, -1 unknown) for a subject. */
  private estimateFor({ u, folded }: Subject, i: number): number {
    return clip(folded ? estimateFolded(this.model, folded, i) : estimate(this.model, u, i), this.model.scale);
  }

  /**
   * The subject of a request for `user`: a known user, or an unknown one folded in from `ratings`
   * (when any of them is on an item the model knows). Null for a NULL user.
   */
  private subject(user: unknown, ratings: UserRatings | null, what: string): Subject | null {
    const u = this.users.find(user);
    if (u === BAD_ID) throw badId(what, user);
    if (u === NULL_ID) return null;
    if (u >= 0 || ratings === null) return { u, folded: null };
    return { u, folded: this.foldIn(ratings) };
  }

  /**
   * A new user's factors from her ratings (null when none is on an item the model knows). Fold-in
   * solves factor models only: other families answer a new user with their own fallback.
   */
  foldIn(ratings: UserRatings): FoldedUser | null {
    if (this.model.extension) return null;
    const items = ratings.items.map((item, x) => {
      const i = this.items.find(item);
      if (i === BAD_ID || i === NULL_ID) throw badId(`rated item id at entry ${x + 1}`, item);
      return i;
    });
    return foldInUser(this.model, items, ratings.ratings);
  }

  /**
   * Clipped estimates for pairs whose users may be new: `ratingsOf(user)` gives a new user's
   * ratings (or null), and she is folded in once per distinct user of the batch. Returns each row's
   * source; NaN and null where either id is NULL.
   */
  scoreWithFoldIn(
    users: ArrayLike<unknown>,
    items: ArrayLike<unknown>,
    out: Float64Array,
    ratingsOf: (row: number) => UserRatings | null,
  ): (ScoreSource | null)[] {
    const n = users.length;
    if (items.length !== n) throw invalid(`got ${n} user ids but ${items.length} item ids; pass one of each per row`);
    const subjects = new Map<unknown, Subject | null>();
    const sources: (ScoreSource | null)[] = new Array(n);
    for (let r = 0; r < n; r++) {
      let subject = subjects.get(users[r]);
      if (subject === undefined) subjects.set(users[r], (subject = this.subject(users[r], ratingsOf(r), `user id at row ${r + 1}`)));
      const i = this.items.find(items[r]);
      if (i === BAD_ID) throw badId(`item id at row ${r + 1}`, items[r]);
      if (subject === null || i === NULL_ID) {
        out[r] = Number.NaN;
        sources[r] = null;
        continue;
      }
      out[r] = this.estimateFor(subject, i);
      sources[r] = subject.u >= 0 ? 'model' : subject.folded ? 'fold-in' : 'fallback';
    }
    return sources;
  }

  /**
   * Top-n lists of known users: the prefix of the artifact's stored lists when it has them for this
   * n (the training job ranked every user with the same model, exclusions and tie-break, so they
   * are the lists the kernel would give), else the kernel's.
   */
  private knownUsersTop(users: Int32Array, n: number): Int32Array {
    const stored = this.stored;
    if (stored && n <= stored.n) {
      const out = new Int32Array(users.length * n);
      users.forEach((u, x) => out.set(stored.items.subarray(u * stored.n, u * stored.n + n), x * n));
      return out;
    }
    this.topN ??= {
      kernels: loadKernels(this.kernelPreference),
      rank: itemIdRank(this.model.itemIds),
      exclude: this.rated ?? { userPtr: new Int32Array(this.model.userIds.length + 1), itemIdx: new Int32Array(0) },
    };
    return topNFor(this.model, users, this.topN.exclude, n, this.topN.rank, this.topN.kernels).items;
  }

  private itemRank(): Int32Array {
    return (this.rank ??= this.topN?.rank ?? itemIdRank(this.model.itemIds));
  }

  /**
   * Every item by popularity, built once: by how many users rated it in training when the artifact
   * records rated items, ties (and artifacts that do not record them) by the unknown-user estimate
   * μ + b_i, then by item id.
   */
  private popularityOrder(): Int32Array {
    if (!this.popular) {
      const m = this.model;
      const count = new Float64Array(m.itemIds.length);
      if (this.rated) for (const i of this.rated.itemIdx) count[i]++;
      const est = Float64Array.from(m.itemIds, (_, i) => estimate(m, -1, i));
      const rank = this.itemRank();
      this.popular = Int32Array.from(m.itemIds, (_, i) => i).sort((a, b) => count[b] - count[a] || est[b] - est[a] || rank[a] - rank[b]);
    }
    return this.popular;
  }
}
