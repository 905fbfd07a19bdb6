import { clip, estimate, invalid, itemIdRank, type Exclusions, type FactorModel, type Kernels } from '../core/index.js';
import type { LoadedArtifact, Manifest } from '../artifacts/index.js';
import { loadKernels, type KernelPreference } from '../kernels/index.js';
import { BAD_ID, IdLookup, NULL_ID, badId } from './id-lookup.js';

/** A user's top-k items, best first, with the same clipped estimates invoke answers for them. */
export interface Recommendation {
  readonly items: string[];
  readonly scores: number[];
}

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
  private topN?: { readonly kernels: Kernels; readonly rank: Int32Array; readonly exclude: Exclusions };
  private fallbackOrder?: Int32Array;

  constructor(
    artifact: LoadedArtifact,
    private readonly kernelPreference: KernelPreference = 'auto',
  ) {
    this.model = artifact.model;
    this.manifest = artifact.manifest;
    this.rated = artifact.rated;
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
   * The user's top-k items among those they did not rate in training (fewer when fewer remain),
   * ranked as core's top-N ranks them (estimate, then item id): core's recommendAll list for that
   * user. An unknown user rated nothing here, so gets the fallback ranking (μ + b_i) over all items.
   * Null for a NULL user.
   */
  recommend(user: unknown, k: number): Recommendation | null {
    const u = this.users.find(user);
    if (u === BAD_ID) throw badId('user id', user);
    if (u === NULL_ID) return null;
    const n = Math.min(k, this.model.itemIds.length);
    const inner = u >= 0 ? this.knownUserTop(u, n) : this.fallbackTop(n);
    const items: string[] = [];
    const scores: number[] = [];
    for (let r = 0; r < inner.length && inner[r] >= 0; r++) {
      items.push(this.model.itemIds[inner[r]]);
      scores.push(clip(estimate(this.model, u, inner[r]), this.model.scale));
    }
    return { items, scores };
  }

  private knownUserTop(u: number, n: number): Int32Array {
    this.topN ??= {
      kernels: loadKernels(this.kernelPreference),
      rank: itemIdRank(this.model.itemIds),
      exclude: this.rated ?? { userPtr: new Int32Array(this.model.userIds.length + 1), itemIdx: new Int32Array(0) },
    };
    return this.topN.kernels.topN(this.model, Int32Array.of(u), this.topN.exclude, n, this.topN.rank).items;
  }

  /** Every item by its unknown-user estimate, descending, ties by item id: the same for all unknown users, so built once. */
  private fallbackTop(n: number): Int32Array {
    if (!this.fallbackOrder) {
      const m = this.model;
      const est = Float64Array.from(m.itemIds, (_, i) => estimate(m, -1, i));
      const rank = this.topN?.rank ?? itemIdRank(m.itemIds);
      this.fallbackOrder = Int32Array.from(m.itemIds, (_, i) => i).sort((a, b) => est[b] - est[a] || rank[a] - rank[b]);
    }
    return this.fallbackOrder.subarray(0, n);
  }
}
