import { invalid } from '../errors.js';
import { clip, estimate, type FactorModel } from '../model.js';
import { BestList } from './best-list.js';
import { decodeExtension, encodeExtension, estimateAt, familyName, scoreUser, upperBounds } from './dispatch.js';
import { arrayOf } from './neighbours.js';
import type { BlendExtension, EncodedExtension, FamilyJson, Family, StoredArray } from './types.js';

/** One component's scores; a component is never a blend, so scoring never nests. */
let scratch = new Float64Array(0);

/** Per component: its scores, or the bounds of them; and each item's blended bound. Grown as needed. */
const parts: Float64Array[] = [];
let bound = new Float64Array(0);
let tried = new Uint8Array(0);
const best = new BestList();
const byBound = new BestList();

/**
 * A stacked linear blend: r̂ = w₀ + Σ_c w_c · clip(r̂_c). Each component answers unknown users and
 * items with its own fallback, so the blend needs none of its own.
 */
export const blendFamily: Family<BlendExtension> = {
  kind: 'blend',
  estimate(m, u, i) {
    const e = m.extension;
    let s = e.intercept;
    e.components.forEach((c, x) => (s += e.weights[x] * clip(estimate(c, u, i), c.scale)));
    return s;
  },
  // A time-aware component (timeSVD) answers at the rating's time, as it does on its own.
  estimateAt(m, u, i, t) {
    const e = m.extension;
    let s = e.intercept;
    e.components.forEach((c, x) => (s += e.weights[x] * clip(estimateAt(c, u, i, t), c.scale)));
    return s;
  },
  scoreUser(m, u, out, kernels) {
    const e = m.extension;
    if (scratch.length < out.length) scratch = new Float64Array(out.length);
    const part = scratch;
    out.fill(e.intercept);
    e.components.forEach((c, x) => {
      scoreUser(c, u, part, kernels);
      const w = e.weights[x];
      for (let i = 0; i < out.length; i++) out[i] += w * clip(part[i], c.scale);
    });
  },
  /**
   * The blend's top-n without estimating every component for every item: components that can bound
   * their estimates cheaply (factor models, dense user-based KNN; weight > 0) are bounded, the others
   * scored in full. An item's blended bound sums the bounds in place of those estimates, in the blend's
   * own order of operations, so that it is never below the estimate (clipping, products by a positive
   * weight and sums all keep order). The n items of highest bound are estimated first; then every item
   * whose bound can still enter the list has its bounded components estimated one at a time, and is
   * dropped as soon as the bound with the estimates known so far no longer can.
   */
  bestItems(m, u, skip, n, itemRank, est, kernels) {
    const e = m.extension;
    const nItems = m.itemIds.length;
    const nC = e.components.length;
    while (parts.length < nC) parts.push(new Float64Array(0));
    for (let x = 0; x < nC; x++) if (parts[x].length < nItems) parts[x] = new Float64Array(nItems);
    if (bound.length < nItems) {
      bound = new Float64Array(nItems);
      tried = new Uint8Array(nItems);
    }
    const exact = e.components.map((c, x) => (e.weights[x] > 0 ? upperBounds(c, u, parts[x]) : undefined));
    if (exact.every((f) => f === undefined)) return undefined;
    e.components.forEach((c, x) => exact[x] ?? scoreUser(c, u, parts[x], kernels));
    const w = Float64Array.from(e.weights);
    const lo = Float64Array.from(e.components, (c) => c.scale.min);
    const hi = Float64Array.from(e.components, (c) => c.scale.max);
    const vals = new Float64Array(nC);
    // The blend's sum as `scoreUser` does it (clip written out), over `vals`.
    const sum = (): number => {
      let s = e.intercept;
      for (let x = 0; x < nC; x++) s += w[x] * (vals[x] < lo[x] ? lo[x] : Math.min(vals[x], hi[x]));
      return s;
    };
    byBound.reset(n, itemRank);
    for (let i = 0; i < nItems; i++) {
      if (skip[i]) continue;
      let s = e.intercept;
      for (let x = 0; x < nC; x++) {
        const v = parts[x][i];
        s += w[x] * (v < lo[x] ? lo[x] : Math.min(v, hi[x]));
      }
      bound[i] = s;
      byBound.offer(s, i);
    }
    best.reset(n, itemRank);
    // Estimates the bounded components of item i while its bound can enter the list, and offers it.
    const refine = (i: number): void => {
      tried[i] = 1;
      for (let x = 0; x < nC; x++) vals[x] = parts[x][i];
      let b = bound[i];
      for (let x = 0; x < nC; x++) {
        const f = exact[x];
        if (!f) continue;
        vals[x] = f(i);
        b = sum();
        if (!best.admits(b, i)) return;
      }
      best.offer(b, i);
    };
    const first = byBound.items.subarray(0, byBound.size);
    for (const i of first) refine(i);
    for (let i = 0; i < nItems; i++) if (!skip[i] && !tried[i] && best.admits(bound[i], i)) refine(i);
    tried.fill(0, 0, nItems);
    return best.list(est);
  },
  encode(e) {
    const arrays = new Map<string, StoredArray>();
    const components = e.components.map((c, x) => {
      const prefix = `c${x}.`;
      arrays.set(`${prefix}user-bias`, c.userBias);
      arrays.set(`${prefix}item-bias`, c.itemBias);
      arrays.set(`${prefix}user-factors`, c.userFactors);
      arrays.set(`${prefix}item-factors`, c.itemFactors);
      const ext = c.extension ? encodeExtension(c.extension) : null;
      if (ext) for (const [name, a] of ext.arrays) arrays.set(`${prefix}${name}`, a);
      return {
        algorithm: c.algorithm,
        family: familyName(c),
        biased: c.biased,
        globalMean: c.globalMean,
        nFactors: c.nFactors,
        params: ext ? ext.params : {},
      };
    });
    return { params: { intercept: e.intercept, weights: [...e.weights], components }, arrays };
  },
  decode(enc, base) {
    const p = enc.params;
    const comps = p.components;
    const weights = p.weights;
    if (!Array.isArray(comps) || !Array.isArray(weights) || comps.length !== weights.length || !weights.every(Number.isFinite))
      throw invalid('blend: components and weights must be lists of the same length');
    if (typeof p.intercept !== 'number') throw invalid('blend: intercept must be a number');
    const components = comps.map((raw: FamilyJson, x: number) => decodeComponent(raw, x, enc, base));
    return { kind: 'blend', components, weights: weights as number[], intercept: p.intercept };
  },
};

function decodeComponent(raw: FamilyJson, x: number, enc: EncodedExtension, base: FactorModel): FactorModel {
  const c = raw as Record<string, FamilyJson>;
  const prefix = `c${x}.`;
  const ok = typeof c === 'object' && c !== null && typeof c.algorithm === 'string' && typeof c.family === 'string';
  if (!ok || typeof c.biased !== 'boolean' || typeof c.globalMean !== 'number' || !Number.isSafeInteger(c.nFactors))
    throw invalid(`blend component ${x} is not described by algorithm, family, biased, globalMean and nFactors`);
  const nFactors = c.nFactors as number;
  const float = (name: string, length: number) => {
    const a = arrayOf(enc, `${prefix}${name}`, Float32Array);
    if (a.length !== length) throw invalid(`blend component ${x}: ${name} has ${a.length} values, expected ${length}`);
    return a;
  };
  const nUsers = base.userIds.length;
  const nItems = base.itemIds.length;
  const model: FactorModel = {
    algorithm: c.algorithm as string,
    biased: c.biased,
    globalMean: c.globalMean,
    nFactors,
    scale: base.scale,
    userIds: base.userIds,
    itemIds: base.itemIds,
    userBias: float('user-bias', nUsers),
    itemBias: float('item-bias', nItems),
    userFactors: float('user-factors', nUsers * nFactors),
    itemFactors: float('item-factors', nItems * nFactors),
  };
  if (c.family === 'factor') return model;
  const own = new Map<string, StoredArray>();
  for (const [name, a] of enc.arrays) if (name.startsWith(prefix)) own.set(name.slice(prefix.length), a);
  const params = (
    typeof c.params === 'object' && c.params !== null && !Array.isArray(c.params) ? c.params : {}
  ) as EncodedExtension['params'];
  return { ...model, extension: decodeExtension(c.family as string, { params, arrays: own }, model) };
}
