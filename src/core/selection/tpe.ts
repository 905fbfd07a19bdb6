import { invalid } from '../errors.js';
import type { Rng } from '../random.js';
import { type Assignment, centreOf, type Dimension, type ParamValue, sampleSpace, type SearchSpace } from './search-space.js';

/** A finished trial as the sampler sees it: lower loss is better; a failed trial has loss Infinity. */
export interface Observation {
  readonly algorithm: string;
  readonly params: Assignment;
  readonly loss: number;
  /** Seconds one fold of it took, when known: what the sampler weighs expected gain against. */
  readonly seconds?: number;
}

export interface Suggestion {
  readonly algorithm: string;
  readonly params: Assignment;
}

export interface TpeOptions {
  /** Trials drawn from the prior before the model takes over (default 3 per algorithm, at least 8). */
  readonly startup?: number;
  /** Draws from l(x) among which the best l(x)/g(x) is kept (hyperopt's n_EI_candidates: 24). */
  readonly candidates?: number;
  /** Share of the finished trials counted as good (hyperopt: 0.25, at most 25 trials). */
  readonly gamma?: number;
  /**
   * How strongly cost counts (default 1): a candidate's score is log(l/g) − costWeight·log(its
   * algorithm's mean seconds per fold / the cheapest's), expected improvement per second rather than
   * per trial. 0 ignores cost.
   */
  readonly costWeight?: number;
}

/**
 * Tree-structured Parzen estimator (Bergstra et al. 2011) over several algorithms, each with its own
 * space: the algorithm is a categorical choice at the root and its parameters hang below it, fitted
 * only on the trials of that algorithm. Trials are split by loss into good and bad; a candidate is
 * drawn from the good trials' density l and kept when it maximises l/g (the expected improvement).
 * `started` counts trials already handed out (finished or still running), which drives the
 * round-robin of the prior phase, so every algorithm is tried before the model decides; that first
 * trial of each is its space's known-good point (the ranges' centres), and the priors are centred there.
 */
export function suggestTpe(
  spaces: ReadonlyMap<string, SearchSpace>,
  history: readonly Observation[],
  started: number,
  rng: Rng,
  opts: TpeOptions = {},
): Suggestion {
  const algos = [...spaces.keys()];
  if (algos.length === 0) throw invalid('a search needs at least one algorithm');
  const startup = opts.startup ?? Math.max(8, 3 * algos.length);
  const finite = history.filter((o) => Number.isFinite(o.loss) && spaces.has(o.algorithm));
  const costWeight = opts.costWeight ?? 1;
  const cost = costWeight > 0 ? meanSeconds(algos, history) : new Map<string, number>();
  if (started < startup || finite.length < 2) {
    // Prior phase: every algorithm once, then (when costs are known) the one with the fewest seconds spent, so slow ones do not take the budget.
    const untried = algos.filter((a) => !history.some((o) => o.algorithm === a));
    const spent = (a: string) => history.reduce((t, o) => t + (o.algorithm === a ? (o.seconds ?? 0) : 0), 0);
    const algorithm =
      started < algos.length || untried.length > 0 || cost.size === 0
        ? algos[started % algos.length]
        : algos.reduce((a, b) => (spent(b) < spent(a) ? b : a));
    const space = spaces.get(algorithm) as SearchSpace;
    return { algorithm, params: started < algos.length ? centreOf(space, rng) : sampleSpace(space, rng) };
  }
  const cheapest = Math.min(...cost.values());
  const penalty = (a: string) => (cost.has(a) ? costWeight * Math.log((cost.get(a) as number) / cheapest) : 0);
  const sorted = [...finite].sort((a, b) => a.loss - b.loss);
  const nGood = Math.max(1, Math.min(25, Math.ceil((opts.gamma ?? 0.25) * sorted.length)));
  // Failed trials count as bad: the model learns to avoid where they happened.
  const good = sorted.slice(0, nGood);
  const bad = [...sorted.slice(nGood), ...history.filter((o) => !Number.isFinite(o.loss) && spaces.has(o.algorithm))];
  const algoL = categorical(
    algos,
    good.map((o) => o.algorithm),
  );
  const algoG = categorical(
    algos,
    bad.map((o) => o.algorithm),
  );
  const models = new Map(
    algos.map((a) => {
      const space = spaces.get(a) as SearchSpace;
      const of = (obs: readonly Observation[]) => obs.filter((o) => o.algorithm === a).map((o) => o.params);
      const l = [...space].map(([path, d]) =>
        estimator(
          d,
          of(good).map((p) => p[path]),
        ),
      );
      const g = [...space].map(([path, d]) =>
        estimator(
          d,
          of(bad).map((p) => p[path]),
        ),
      );
      return [a, { paths: [...space.keys()], l, g }] as const;
    }),
  );
  let best: Suggestion | null = null;
  let bestScore = -Infinity;
  for (let c = 0; c < (opts.candidates ?? 24); c++) {
    const ai = algoL.sample(rng);
    const m = models.get(algos[ai]) as { paths: string[]; l: Estimator[]; g: Estimator[] };
    const params: Record<string, ParamValue> = {};
    let score = algoL.logPdf(ai) - algoG.logPdf(ai) - penalty(algos[ai]);
    m.paths.forEach((path, d) => {
      const x = m.l[d].sample(rng);
      score += m.l[d].logPdf(x) - m.g[d].logPdf(x);
      params[path] = m.l[d].value(x);
    });
    if (score > bestScore) {
      bestScore = score;
      best = { algorithm: algos[ai], params };
    }
  }
  return best as Suggestion;
}

/** Mean seconds per fold of each algorithm with timed trials (positive only). */
function meanSeconds(algos: readonly string[], history: readonly Observation[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of algos) {
    const times = history.filter((o) => o.algorithm === a && o.seconds !== undefined && o.seconds > 0).map((o) => o.seconds as number);
    if (times.length) out.set(a, times.reduce((x, y) => x + y, 0) / times.length);
  }
  return out;
}

/** A one-dimensional density over a dimension's internal coordinate (an index for a choice, log for log scales). */
interface Estimator {
  sample(rng: Rng): number;
  logPdf(x: number): number;
  value(x: number): ParamValue;
}

function estimator(d: Dimension, observed: readonly (ParamValue | undefined)[]): Estimator {
  const seen = observed.filter((v): v is ParamValue => v !== undefined);
  if (d.kind === 'choice') {
    const cat = categorical(d.values, seen);
    return { sample: (rng) => cat.sample(rng), logPdf: (x) => cat.logPdf(x), value: (x) => d.values[x] };
  }
  const log = d.kind === 'loguniform' || d.kind === 'logint';
  const int = d.kind === 'int' || d.kind === 'logint';
  // Integers own the interval [v − ½, v + ½], so the ends are as likely as the inside.
  const lo = (log ? Math.log : Number)(int ? d.low - 0.5 : d.low);
  const hi = (log ? Math.log : Number)(int ? d.high + 0.5 : d.high);
  const internal = (v: number) => (log ? Math.log(v) : v);
  const parzen = parzenMixture(
    seen.map((v) => internal(Number(v))),
    lo,
    hi,
    d.centre === undefined ? (lo + hi) / 2 : internal(d.centre),
  );
  return {
    sample: parzen.sample,
    logPdf: parzen.logPdf,
    value(x) {
      const v = log ? Math.exp(x) : x;
      return int ? Math.min(d.high, Math.max(d.low, Math.round(v))) : Math.min(d.high, Math.max(d.low, v));
    },
  };
}

/** Categorical density with one pseudo-count per value (the prior), as hyperopt's. */
function categorical(values: readonly ParamValue[], seen: readonly ParamValue[]): { sample(rng: Rng): number; logPdf(i: number): number } {
  const weights = values.map((v) => 1 + seen.filter((s) => s === v).length);
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    sample(rng) {
      let r = rng.next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i];
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
    logPdf: (i) => Math.log(weights[i] / total),
  };
}

/**
 * Parzen window over [lo, hi]: the prior (a wide Gaussian at `centre`) plus one Gaussian per
 * observation whose width is the larger gap to its neighbours, clipped to [(hi−lo)/min(100, n+1), hi−lo]
 * (hyperopt's adaptive_parzen_normal).
 */
function parzenMixture(
  points: readonly number[],
  lo: number,
  hi: number,
  centre: number,
): { sample(rng: Rng): number; logPdf(x: number): number } {
  const width = Math.max(hi - lo, 1e-12);
  const mus = [centre, ...points];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const sigmas = new Array<number>(mus.length);
  const minSigma = width / Math.min(100, points.length + 1);
  order.forEach((i, r) => {
    const left = r > 0 ? mus[i] - mus[order[r - 1]] : mus[i] - lo;
    const right = r < order.length - 1 ? mus[order[r + 1]] - mus[i] : hi - mus[i];
    sigmas[i] = Math.min(width, Math.max(minSigma, left, right));
  });
  sigmas[0] = width;
  const n = mus.length;
  return {
    sample(rng) {
      const j = rng.int(n);
      for (let tries = 0; tries < 32; tries++) {
        const x = mus[j] + sigmas[j] * rng.normal();
        if (x >= lo && x <= hi) return x;
      }
      return Math.min(hi, Math.max(lo, mus[j]));
    },
    logPdf(x) {
      let p = 0;
      for (let j = 0; j < n; j++) {
        const z = (x - mus[j]) / sigmas[j];
        p += Math.exp(-0.5 * z * z) / sigmas[j];
      }
      return Math.log(p / (n * Math.sqrt(2 * Math.PI)) + 1e-300);
    },
  };
}
