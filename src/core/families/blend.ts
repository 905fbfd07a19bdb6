import { invalid } from '../errors.js';
import { clip, estimate, type FactorModel } from '../model.js';
import { decodeExtension, encodeExtension, estimateAt, familyName, scoreUser } from './dispatch.js';
import { arrayOf } from './neighbours.js';
import type { BlendExtension, EncodedExtension, FamilyJson, Family, StoredArray } from './types.js';

/** One component's scores; a component is never a blend, so scoring never nests. */
let scratch = new Float64Array(0);

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
