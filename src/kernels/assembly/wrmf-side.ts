// One half-epoch of WRMF's alternating least squares: every row's factors solved against the fixed other
// side. The WebAssembly twin of `wrmfSide` in src/core/reference-kernels.ts, with the same additions in
// the same order (the rank-one updates two columns at a time, each column's sum unchanged), so the
// factors are the same bits.

import { solveSpd } from './solve-spd';

/**
 * For each of nRows rows (CSR ptr/idx/ratings into the other side H, float32 nOther × k): solves
 * (HᵀH + λI + Σ (c − 1) h hᵀ) x = Σ c h with c = 1 + α·r, into F's row (float32). HtH: k × k float64.
 * A: k × k float64 scratch, rhs: k float64s. Returns -1, or the first row whose system is singular.
 */
export function wrmfSide(
  nRows: i32,
  ptr: usize,
  idx: usize,
  ratings: usize,
  F: usize,
  H: usize,
  HtH: usize,
  k: i32,
  reg: f64,
  alpha: f64,
  A: usize,
  rhs: usize,
): i32 {
  const rowBytes = (<usize>k) << 3;
  const hBytes = (<usize>k) << 2;
  for (let r = 0; r < nRows; r++) {
    memory.copy(A, HtH, rowBytes * <usize>k);
    for (let d = 0; d < k; d++) {
      const at = A + <usize>d * rowBytes + ((<usize>d) << 3);
      store<f64>(at, load<f64>(at) + reg);
    }
    memory.fill(rhs, 0, rowBytes);
    const to = load<i32>(ptr + ((<usize>r + 1) << 2));
    for (let p = load<i32>(ptr + ((<usize>r) << 2)); p < to; p++) {
      const h = H + <usize>load<i32>(idx + ((<usize>p) << 2)) * hBytes;
      const conf = 1 + alpha * <f64>load<f32>(ratings + ((<usize>p) << 2));
      for (let a = 0; a < k; a++) {
        const ha = <f64>load<f32>(h + ((<usize>a) << 2));
        const ra = rhs + ((<usize>a) << 3);
        store<f64>(ra, load<f64>(ra) + conf * ha);
        const w = (conf - 1) * ha;
        const vw = f64x2.splat(w);
        const row = A + <usize>a * rowBytes;
        // Columns 0 … a of row a (the lower triangle).
        let b = 0;
        for (; b + 1 <= a; b += 2) {
          const cell = row + ((<usize>b) << 3);
          const hb = f64x2.promote_low_f32x4(v128.load64_zero(h + ((<usize>b) << 2)));
          v128.store(cell, f64x2.add(v128.load(cell), f64x2.mul(vw, hb)));
        }
        if (b == a) {
          const cell = row + ((<usize>b) << 3);
          store<f64>(cell, load<f64>(cell) + w * <f64>load<f32>(h + ((<usize>b) << 2)));
        }
      }
    }
    if (!solveSpd(A, rhs, k)) return r;
    const out = F + <usize>r * hBytes;
    for (let f = 0; f < k; f++) store<f32>(out + ((<usize>f) << 2), <f32>load<f64>(rhs + ((<usize>f) << 3)));
  }
  return -1;
}
