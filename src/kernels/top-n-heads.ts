/**
 * The head basis of the top-N kernel's second bound: m orthonormal directions that hold most of the
 * users' factor energy (their leading principal directions, uncentred). In any orthonormal basis
 * qᵀp = h_qᵀh_p + t_qᵀt_p ≤ h_qᵀh_p + ‖t_q‖·‖t_p‖, with h the first m coordinates and t the rest; when
 * the users' tails are short the bound is far tighter than ‖q‖·‖p‖ and costs m multiply-adds, not k.
 * Any orthonormal V gives an exact bound; how well V is found only decides how much is pruned.
 */

/** Head width: on ml-latest-small BPMF (k = 650) an 8-wide head bound leaves 55% of the estimates to score (16 wide: 51%, 4: 64%; all three take about the same time). */
const WIDTH = 8;
/** Fewer factors than this and the heads do not pay for their projection and bound (measured: SVD, k = 100, 8-wide heads: 87% scored instead of 93%, slower in all). */
const MIN_FACTORS = 128;
/** Users the basis is fitted on, and subspace iterations. */
const SAMPLE = 256;
const ITERATIONS = 3;

/** Head width for a model with k factors (0: the head bound would not pay). */
export const headWidth = (k: number): number => (k >= MIN_FACTORS ? WIDTH : 0);

/**
 * V (m × k, row-major, orthonormal rows): the span of a sample of user rows, refined by subspace
 * iteration V ← orth(Vᵀ… GᵀG V) on that sample, so V approaches the sample's leading right singular vectors.
 */
export function headBasis(userFactors: Float32Array, nUsers: number, k: number, m: number): Float64Array {
  const step = Math.max(1, Math.floor(nUsers / SAMPLE));
  const rows: number[] = [];
  for (let u = 0; u < nUsers && rows.length < SAMPLE; u += step) rows.push(u);
  let V = new Float64Array(m * k);
  // Start from sampled users' own rows (deterministic; they lie in the span sought).
  for (let a = 0; a < m; a++) {
    const u = rows[a % rows.length];
    for (let f = 0; f < k; f++) V[a * k + f] = userFactors[u * k + f];
  }
  orthonormalise(V, m, k);
  const g = new Float64Array(m);
  for (let it = 0; it < ITERATIONS; it++) {
    const W = new Float64Array(m * k);
    for (const u of rows) {
      const x = u * k;
      for (let a = 0; a < m; a++) {
        let d = 0;
        for (let f = 0; f < k; f++) d += userFactors[x + f] * V[a * k + f];
        g[a] = d;
      }
      for (let a = 0; a < m; a++) for (let f = 0; f < k; f++) W[a * k + f] += g[a] * userFactors[x + f];
    }
    V = W;
    orthonormalise(V, m, k);
  }
  return V;
}

/**
 * Modified Gram–Schmidt, twice (orthonormal to f64 rounding). A row that vanishes (dependent rows,
 * fewer users than m) is replaced by the first unit vector it is not already in the span of.
 */
function orthonormalise(V: Float64Array, m: number, k: number): void {
  for (let a = 0; a < m; a++) {
    for (let unit = 0; ; unit++) {
      const before = rowNorm(V, a, k);
      for (let pass = 0; pass < 2; pass++)
        for (let b = 0; b < a; b++) {
          let d = 0;
          for (let f = 0; f < k; f++) d += V[a * k + f] * V[b * k + f];
          for (let f = 0; f < k; f++) V[a * k + f] -= d * V[b * k + f];
        }
      const n = rowNorm(V, a, k);
      if (n > 1e-6 * before && n > 0) {
        for (let f = 0; f < k; f++) V[a * k + f] /= n;
        break;
      }
      V.fill(0, a * k, (a + 1) * k);
      V[a * k + (unit % k)] = 1;
    }
  }
}

function rowNorm(V: Float64Array, a: number, k: number): number {
  let s = 0;
  for (let f = 0; f < k; f++) s += V[a * k + f] * V[a * k + f];
  return Math.sqrt(s);
}
