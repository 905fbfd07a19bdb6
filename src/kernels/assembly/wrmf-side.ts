// One half-epoch of WRMF's alternating least squares: every row's factors solved against the fixed other
// side. The WebAssembly twin of `wrmfSide` in src/core/reference-kernels.ts, with the same additions in
// the same order (the rank-one updates two columns at a time, each column's sum unchanged), so the
// factors are the same bits.

/** Solves the SPD system A·x = b in place (A: n × n row-major; lower triangle → Cholesky factor); false if A is not positive definite. */
function solveSpd(A: usize, b: usize, n: i32): bool {
  const rowBytes = (<usize>n) << 3;
  for (let j = 0; j < n; j++) {
    const rj = A + <usize>j * rowBytes;
    let d = load<f64>(rj + ((<usize>j) << 3));
    for (let k = 0; k < j; k++) {
      const v = load<f64>(rj + ((<usize>k) << 3));
      d -= v * v;
    }
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    store<f64>(rj + ((<usize>j) << 3), ljj);
    for (let i = j + 1; i < n; i++) {
      const ri = A + <usize>i * rowBytes;
      let s = load<f64>(ri + ((<usize>j) << 3));
      for (let k = 0; k < j; k++) s -= load<f64>(ri + ((<usize>k) << 3)) * load<f64>(rj + ((<usize>k) << 3));
      store<f64>(ri + ((<usize>j) << 3), s / ljj);
    }
  }
  for (let i = 0; i < n; i++) {
    const ri = A + <usize>i * rowBytes;
    let s = load<f64>(b + ((<usize>i) << 3));
    for (let k = 0; k < i; k++) s -= load<f64>(ri + ((<usize>k) << 3)) * load<f64>(b + ((<usize>k) << 3));
    store<f64>(b + ((<usize>i) << 3), s / load<f64>(ri + ((<usize>i) << 3)));
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = load<f64>(b + ((<usize>i) << 3));
    for (let k = i + 1; k < n; k++) s -= load<f64>(A + <usize>k * rowBytes + ((<usize>i) << 3)) * load<f64>(b + ((<usize>k) << 3));
    store<f64>(b + ((<usize>i) << 3), s / load<f64>(A + <usize>i * rowBytes + ((<usize>i) << 3)));
  }
  return true;
}

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
