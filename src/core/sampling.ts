import { solveSpd } from './cholesky.js';
import type { Rng } from './random.js';

/** Gamma(shape, 1) draw by Marsaglia & Tsang (2000); shape < 1 through the boost x·U^{1/shape}. */
export function sampleGamma(shape: number, rng: Rng): number {
  if (shape < 1) return sampleGamma(shape + 1, rng) * (1 - rng.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Λ ~ Wishart(W, ν) for W given by its inverse (n × n, row-major, SPD), by Bartlett's decomposition:
 * with W⁻¹ = C·Cᵀ, W = C⁻ᵀC⁻¹, so Λ = (C⁻ᵀA)(C⁻ᵀA)ᵀ where A is lower triangular with
 * A_jj = √χ²(ν − j) and standard normals below the diagonal. Returns false when W⁻¹ is not SPD.
 */
export function sampleWishartFromInverse(wInv: Float64Array, nu: number, n: number, rng: Rng, out: Float64Array): boolean {
  const C = wInv.slice();
  if (!solveSpd(C, new Float64Array(n), n)) return false;
  // B = C⁻ᵀA, column by column: Cᵀ is upper triangular, so back substitution.
  const B = new Float64Array(n * n);
  const a = new Float64Array(n);
  for (let col = 0; col < n; col++) {
    a.fill(0);
    a[col] = Math.sqrt(2 * sampleGamma((nu - col) / 2, rng));
    for (let r = col + 1; r < n; r++) a[r] = rng.normal();
    for (let i = n - 1; i >= 0; i--) {
      let s = a[i];
      for (let k = i + 1; k < n; k++) s -= C[k * n + i] * B[k * n + col];
      B[i * n + col] = s / C[i * n + i];
    }
  }
  for (let r = 0; r < n; r++)
    for (let c = 0; c <= r; c++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += B[r * n + k] * B[c * n + k];
      out[r * n + c] = s;
      out[c * n + r] = s;
    }
  return true;
}

/**
 * x ~ N(Λ⁻¹h, Λ⁻¹) for a precision Λ (n × n SPD, overwritten by its Cholesky factor L) and
 * h (overwritten by the draw): the mean by solving L·Lᵀ·m = h, then m + L⁻ᵀz with z standard normal.
 * Returns false when Λ is not SPD.
 */
export function sampleGaussianFromPrecision(precision: Float64Array, h: Float64Array, n: number, rng: Rng, z: Float64Array): boolean {
  if (!solveSpd(precision, h, n)) return false;
  for (let i = 0; i < n; i++) z[i] = rng.normal();
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= precision[k * n + i] * z[k];
    z[i] = s / precision[i * n + i];
  }
  for (let i = 0; i < n; i++) h[i] += z[i];
  return true;
}
