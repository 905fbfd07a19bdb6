// Half a Gibbs sweep of BPMF: every row's [factors, bias] drawn from its Gaussian posterior given the
// other side. The WebAssembly twin of `bpmfRows` in src/core/reference-kernels.ts, with the same
// operations in the same order (the rank-one updates two columns at a time, each cell's sum unchanged),
// so the draws are the same bits.
import { solveSpd } from './solve-spd';

/**
 * F, G: float64 rows of d = k + 1; precision: d × d; priorH, h: d; A: d × d scratch; normals: nRows × d.
 * Returns -1, or the first row whose posterior precision is not positive definite.
 */
export function bpmfRows(
  nRows: i32,
  ptr: usize,
  idx: usize,
  ratings: usize,
  F: usize,
  G: usize,
  k: i32,
  mu: f64,
  alpha: f64,
  precision: usize,
  priorH: usize,
  normals: usize,
  A: usize,
  z: usize,
): i32 {
  const d = k + 1;
  const rowBytes = (<usize>d) << 3;
  for (let r = 0; r < nRows; r++) {
    memory.copy(A, precision, rowBytes * <usize>d);
    const h = F + <usize>r * rowBytes;
    memory.copy(h, priorH, rowBytes);
    const to = load<i32>(ptr + ((<usize>r + 1) << 2));
    for (let p = load<i32>(ptr + ((<usize>r) << 2)); p < to; p++) {
      const g = G + <usize>load<i32>(idx + ((<usize>p) << 2)) * rowBytes;
      memory.copy(z, g, (<usize>k) << 3);
      store<f64>(z + ((<usize>k) << 3), 1);
      const target = alpha * (<f64>load<f32>(ratings + ((<usize>p) << 2)) - mu - load<f64>(g + ((<usize>k) << 3)));
      for (let i = 0; i < d; i++) {
        const zv = load<f64>(z + ((<usize>i) << 3));
        const zi = alpha * zv;
        const hi = h + ((<usize>i) << 3);
        store<f64>(hi, load<f64>(hi) + zv * target);
        const vzi = f64x2.splat(zi);
        const row = A + <usize>i * rowBytes;
        let j = 0;
        for (; j + 1 <= i; j += 2) {
          const cell = row + ((<usize>j) << 3);
          v128.store(cell, f64x2.add(v128.load(cell), f64x2.mul(vzi, v128.load(z + ((<usize>j) << 3)))));
        }
        if (j == i) {
          const cell = row + ((<usize>j) << 3);
          store<f64>(cell, load<f64>(cell) + zi * load<f64>(z + ((<usize>j) << 3)));
        }
      }
    }
    if (!solveSpd(A, h, d)) return r;
    // + L⁻ᵀ·n: the row's normals back-substituted through the factor, then added.
    const n = normals + <usize>r * rowBytes;
    for (let i = d - 1; i >= 0; i--) {
      let s = load<f64>(n + ((<usize>i) << 3));
      for (let c = i + 1; c < d; c++) s -= load<f64>(A + <usize>c * rowBytes + ((<usize>i) << 3)) * load<f64>(z + ((<usize>c) << 3));
      store<f64>(z + ((<usize>i) << 3), s / load<f64>(A + <usize>i * rowBytes + ((<usize>i) << 3)));
    }
    for (let i = 0; i < d; i++) {
      const hi = h + ((<usize>i) << 3);
      store<f64>(hi, load<f64>(hi) + load<f64>(z + ((<usize>i) << 3)));
    }
  }
  return -1;
}
