// Sums of chosen rows of a float32 matrix in float64: the WebAssembly SIMD twin of `sumRows` in
// src/core/reference-kernels.ts (EASE's score x_u·B is the sum of B's rows of the items u rated).
// Each column is summed row by row in the listed order, as the reference does, so the sums are the
// same to the last bit: float32 → float64 is exact, and the additions are the same additions in the
// same order. Four rows are added per pass over the sums, so the sums are loaded and stored a quarter
// as often.

@inline
function wide(v: v128, high: bool): v128 {
  return f64x2.promote_low_f32x4(high ? v128.shuffle<f32>(v, v, 2, 3, 0, 1) : v);
}

/** out[c] = Σ_r matrix[rows[r]·width + c] (float64, rows in order), for c < width. */
export function sumRows(matrix: usize, width: i32, rows: usize, nRows: i32, out: usize): void {
  memory.fill(out, 0, <usize>width << 3);
  const vec = width & ~3;
  const rowBytes = (<usize>width) << 2;
  let r = 0;
  for (; r + 4 <= nRows; r += 4) {
    const at = rows + ((<usize>r) << 2);
    const r0 = matrix + <usize>load<i32>(at) * rowBytes;
    const r1 = matrix + <usize>load<i32>(at, 4) * rowBytes;
    const r2 = matrix + <usize>load<i32>(at, 8) * rowBytes;
    const r3 = matrix + <usize>load<i32>(at, 12) * rowBytes;
    for (let c = 0; c < vec; c += 4) {
      const o = (<usize>c) << 2;
      const v0 = v128.load(r0 + o);
      const v1 = v128.load(r1 + o);
      const v2 = v128.load(r2 + o);
      const v3 = v128.load(r3 + o);
      const s = out + ((<usize>c) << 3);
      let lo = v128.load(s);
      let hi = v128.load(s, 16);
      lo = f64x2.add(f64x2.add(f64x2.add(f64x2.add(lo, wide(v0, false)), wide(v1, false)), wide(v2, false)), wide(v3, false));
      hi = f64x2.add(f64x2.add(f64x2.add(f64x2.add(hi, wide(v0, true)), wide(v1, true)), wide(v2, true)), wide(v3, true));
      v128.store(s, lo);
      v128.store(s, hi, 16);
    }
    for (let c = vec; c < width; c++) {
      const o = (<usize>c) << 2;
      const s = out + ((<usize>c) << 3);
      store<f64>(s, load<f64>(s) + <f64>load<f32>(r0 + o) + <f64>load<f32>(r1 + o) + <f64>load<f32>(r2 + o) + <f64>load<f32>(r3 + o));
    }
  }
  for (; r < nRows; r++) {
    const row = matrix + <usize>load<i32>(rows + ((<usize>r) << 2)) * rowBytes;
    for (let c = 0; c < vec; c += 4) {
      const v = v128.load(row + ((<usize>c) << 2));
      const s = out + ((<usize>c) << 3);
      v128.store(s, f64x2.add(v128.load(s), wide(v, false)));
      v128.store(s, f64x2.add(v128.load(s, 16), wide(v, true)), 16);
    }
    for (let c = vec; c < width; c++) {
      const s = out + ((<usize>c) << 3);
      store<f64>(s, load<f64>(s) + <f64>load<f32>(row + ((<usize>c) << 2)));
    }
  }
}
