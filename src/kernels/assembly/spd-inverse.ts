// EASE's fit: the Gram matrix XᵀX of a binary user-item matrix, and the inverse of a symmetric
// positive definite matrix, in float64: the WebAssembly SIMD twins of `gram` and `invertSpd` in
// src/core/reference-kernels.ts. The Gram counts are small integers, so they are exact whatever the
// order; the inverse is the reference's Gauss-Jordan sweep done a block of pivots at a time, which
// changes only the rounding.

/** Pivots swept per pass over the matrix: each pass reads and writes every row once. */
const BLOCK: i32 = 32;

/** The pivots one `invertSpdBlock` call sweeps. */
export function invertSpdBlockSize(): i32 {
  return BLOCK;
}

/** Bytes of scratch `invertSpdBlock` needs for an n × n matrix: one panel of BLOCK rows, and BLOCK multipliers. */
export function invertSpdScratchBytes(n: i32): usize {
  return (<usize>BLOCK * <usize>n + <usize>BLOCK) << 3;
}

/**
 * out (n × n, float64) = XᵀX over the items with pos[i] ≥ 0, X being the users' rated items (CSR
 * userPtr/itemIdx); item i is row and column pos[i]. `scratch` holds one user's positions (int32s,
 * as many as the user's ratings).
 * The upper triangle is counted, user by user with the positions sorted so each row is written in
 * column order, then mirrored.
 */
export function gram(nUsers: i32, userPtr: usize, itemIdx: usize, pos: usize, n: i32, out: usize, scratch: usize): void {
  const rowBytes = (<usize>n) << 3;
  memory.fill(out, 0, rowBytes * <usize>n);
  for (let u = 0; u < nUsers; u++) {
    const from = load<i32>(userPtr + ((<usize>u) << 2));
    const to = load<i32>(userPtr + ((<usize>u + 1) << 2));
    let m = 0;
    for (let x = from; x < to; x++) {
      const p = load<i32>(pos + (<usize>load<i32>(itemIdx + ((<usize>x) << 2)) << 2));
      if (p < 0) continue;
      // Insertion into the sorted positions so far.
      let at = m;
      while (at > 0 && load<i32>(scratch + ((<usize>at - 1) << 2)) > p) {
        store<i32>(scratch + ((<usize>at) << 2), load<i32>(scratch + ((<usize>at - 1) << 2)));
        at--;
      }
      store<i32>(scratch + ((<usize>at) << 2), p);
      m++;
    }
    for (let a = 0; a < m; a++) {
      const row = out + <usize>load<i32>(scratch + ((<usize>a) << 2)) * rowBytes;
      for (let b = a; b < m; b++) {
        const cell = row + ((<usize>load<i32>(scratch + ((<usize>b) << 2))) << 3);
        store<f64>(cell, load<f64>(cell) + 1);
      }
    }
  }
  for (let r = 1; r < n; r++)
    for (let c = 0; c < r; c++) store<f64>(out + <usize>r * rowBytes + ((<usize>c) << 3), load<f64>(out + <usize>c * rowBytes + ((<usize>r) << 3)));
}

/** row[c] -= Σ_t f[t]·panel[t][c] for c < n, four panel rows per pass over the row. */
@inline
function subtractCombination(row: usize, f: usize, panel: usize, b: i32, n: i32, rowBytes: usize): void {
  const vec = n & ~1;
  let t = 0;
  for (; t + 4 <= b; t += 4) {
    const f0 = load<f64>(f + ((<usize>t) << 3));
    const f1 = load<f64>(f + ((<usize>t) << 3), 8);
    const f2 = load<f64>(f + ((<usize>t) << 3), 16);
    const f3 = load<f64>(f + ((<usize>t) << 3), 24);
    const p0 = panel + <usize>t * rowBytes;
    const p1 = p0 + rowBytes;
    const p2 = p1 + rowBytes;
    const p3 = p2 + rowBytes;
    const s0 = f64x2.splat(f0);
    const s1 = f64x2.splat(f1);
    const s2 = f64x2.splat(f2);
    const s3 = f64x2.splat(f3);
    for (let c = 0; c < vec; c += 2) {
      const o = (<usize>c) << 3;
      const sum = f64x2.add(
        f64x2.add(f64x2.mul(s0, v128.load(p0 + o)), f64x2.mul(s1, v128.load(p1 + o))),
        f64x2.add(f64x2.mul(s2, v128.load(p2 + o)), f64x2.mul(s3, v128.load(p3 + o))),
      );
      v128.store(row + o, f64x2.sub(v128.load(row + o), sum));
    }
    if (vec < n) {
      const o = (<usize>vec) << 3;
      store<f64>(row + o, load<f64>(row + o) - (f0 * load<f64>(p0 + o) + f1 * load<f64>(p1 + o) + (f2 * load<f64>(p2 + o) + f3 * load<f64>(p3 + o))));
    }
  }
  for (; t < b; t++) {
    const ft = load<f64>(f + ((<usize>t) << 3));
    const p = panel + <usize>t * rowBytes;
    const s = f64x2.splat(ft);
    for (let c = 0; c < vec; c += 2) {
      const o = (<usize>c) << 3;
      v128.store(row + o, f64x2.sub(v128.load(row + o), f64x2.mul(s, v128.load(p + o))));
    }
    if (vec < n) {
      const o = (<usize>vec) << 3;
      store<f64>(row + o, load<f64>(row + o) - ft * load<f64>(p + o));
    }
  }
}

/**
 * Sweeps the pivots k0 … k0 + BLOCK − 1 (fewer at the end) of the n × n float64 matrix at `a`
 * (row-major): called for k0 = 0, BLOCK, 2·BLOCK, … it inverts a symmetric positive definite matrix in
 * place. Returns -1, or the index of the first pivot that is not positive (the matrix is then left
 * part-swept). `scratch`: invertSpdScratchBytes(n) bytes. One call per block rather than one for the
 * whole inverse, because V8 replaces a wasm function's baseline code by optimised code only between
 * calls: a single call would run the whole inverse as baseline code, 2.2× the CPU.
 *
 * Block Gauss-Jordan: for the pivots K of the block, with D = A[K,K] (a Schur complement by then),
 * A[K,:] ← D⁻¹·A[K,:] and A[K,K] ← D⁻¹; every other row i: A[i,:] ← A[i,:] − A[i,K]·A[K,:] (new) with
 * A[i,K] taken as zero first, so that A[i,K] ends as −A[i,K]·D⁻¹. One pivot at a time this is the
 * reference's sweep; a block of them reads each row once per BLOCK pivots rather than once per pivot.
 */
export function invertSpdBlock(a: usize, n: i32, k0: i32, scratch: usize): i32 {
  const rowBytes = (<usize>n) << 3;
  const panel = scratch;
  const f = scratch + ((<usize>BLOCK * <usize>n) << 3);
  const b = min(BLOCK, n - k0);
  const diag = a + <usize>k0 * rowBytes + ((<usize>k0) << 3);
  // D⁻¹ in place, one pivot at a time (b × b inside the n-wide rows).
  for (let k = 0; k < b; k++) {
    const rk = diag + <usize>k * rowBytes;
    const piv = load<f64>(rk + ((<usize>k) << 3));
    if (!(piv > 0)) return k0 + k;
    const inv = 1 / piv;
    store<f64>(rk + ((<usize>k) << 3), 1);
    for (let j = 0; j < b; j++) store<f64>(rk + ((<usize>j) << 3), load<f64>(rk + ((<usize>j) << 3)) * inv);
    for (let i = 0; i < b; i++) {
      if (i == k) continue;
      const ri = diag + <usize>i * rowBytes;
      const fi = load<f64>(ri + ((<usize>k) << 3));
      if (fi == 0) continue;
      store<f64>(ri + ((<usize>k) << 3), 0);
      for (let j = 0; j < b; j++) store<f64>(ri + ((<usize>j) << 3), load<f64>(ri + ((<usize>j) << 3)) - fi * load<f64>(rk + ((<usize>j) << 3)));
    }
  }
  // panel = D⁻¹·A[K,:], with D⁻¹ itself in the columns K.
  memory.fill(panel, 0, <usize>b * rowBytes);
  const top = a + <usize>k0 * rowBytes;
  for (let t = 0; t < b; t++) {
    for (let s = 0; s < b; s++) store<f64>(f + ((<usize>s) << 3), -load<f64>(diag + <usize>t * rowBytes + ((<usize>s) << 3)));
    subtractCombination(panel + <usize>t * rowBytes, f, top, b, n, rowBytes);
  }
  for (let t = 0; t < b; t++) memory.copy(panel + <usize>t * rowBytes + ((<usize>k0) << 3), diag + <usize>t * rowBytes, (<usize>b) << 3);
  for (let i = 0; i < n; i++) {
    if (i == k0) {
      i += b - 1;
      continue;
    }
    const row = a + <usize>i * rowBytes;
    const cols = row + ((<usize>k0) << 3);
    memory.copy(f, cols, (<usize>b) << 3);
    memory.fill(cols, 0, (<usize>b) << 3);
    subtractCombination(row, f, panel, b, n, rowBytes);
  }
  memory.copy(top, panel, <usize>b * rowBytes);
  return -1;
}
