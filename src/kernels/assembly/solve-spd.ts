// The Cholesky solve of src/core/cholesky.ts (solveSpd), operation for operation, so that kernels built
// on it give the reference kernels' bits.

/** Solves the SPD system A·x = b in place (A: n × n row-major; lower triangle → Cholesky factor); false if A is not positive definite. */
export function solveSpd(A: usize, b: usize, n: i32): bool {
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
