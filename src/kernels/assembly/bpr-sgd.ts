// One epoch of BPR's SGD over drawn (user, rated item, unrated item) triples: the WebAssembly SIMD
// twin of `bprEpoch` in src/core/reference-kernels.ts. Parameters are float32 in memory and float64
// in arithmetic, as there; the dot product is summed two lanes at a time, so it differs from the
// reference's in rounding only, and the updates (each factor on its own) are the reference's.

/** Two float32s at p as float64 lanes. */
@inline
function pair(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

@inline
function storePair(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/** Runs the n triples (users, pos, neg: int32 arrays) in order; returns Σ ln(1 + e^(−x_uij)). */
export function bprEpoch(
  n: i32,
  users: usize,
  pos: usize,
  neg: usize,
  P: usize,
  Q: usize,
  bias: usize,
  k: i32,
  lr: f64,
  regPu: f64,
  regQi: f64,
  regBi: f64,
): f64 {
  const rowBytes = (<usize>k) << 2;
  const vec = k & ~1;
  const vlr = f64x2.splat(lr);
  const vRegPu = f64x2.splat(regPu);
  const vRegQi = f64x2.splat(regQi);
  let loss: f64 = 0;
  for (let s = 0; s < n; s++) {
    const at = (<usize>s) << 2;
    const i = load<i32>(pos + at);
    const j = load<i32>(neg + at);
    const pu = P + <usize>load<i32>(users + at) * rowBytes;
    const qi = Q + <usize>i * rowBytes;
    const qj = Q + <usize>j * rowBytes;
    const bi = bias + ((<usize>i) << 2);
    const bj = bias + ((<usize>j) << 2);
    let acc = f64x2.splat(0);
    for (let f = 0; f < vec; f += 2) {
      const o = (<usize>f) << 2;
      acc = f64x2.add(acc, f64x2.mul(pair(pu + o), f64x2.sub(pair(qi + o), pair(qj + o))));
    }
    let diff: f64 = <f64>load<f32>(bi) - <f64>load<f32>(bj) + (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
    if (vec < k) {
      const o = (<usize>vec) << 2;
      diff += <f64>load<f32>(pu + o) * (<f64>load<f32>(qi + o) - <f64>load<f32>(qj + o));
    }
    const g = 1 / (1 + Math.exp(diff));
    loss += diff > 0 ? Math.log1p(Math.exp(-diff)) : Math.log1p(Math.exp(diff)) - diff;
    const oldBi = <f64>load<f32>(bi);
    const oldBj = <f64>load<f32>(bj);
    store<f32>(bi, <f32>(oldBi + lr * (g - regBi * oldBi)));
    store<f32>(bj, <f32>(oldBj + lr * (-g - regBi * oldBj)));
    const vg = f64x2.splat(g);
    for (let f = 0; f < vec; f += 2) {
      const o = (<usize>f) << 2;
      const p = pair(pu + o);
      const a = pair(qi + o);
      const b = pair(qj + o);
      storePair(pu + o, f64x2.add(p, f64x2.mul(vlr, f64x2.sub(f64x2.mul(vg, f64x2.sub(a, b)), f64x2.mul(vRegPu, p)))));
      storePair(qi + o, f64x2.add(a, f64x2.mul(vlr, f64x2.sub(f64x2.mul(vg, p), f64x2.mul(vRegQi, a)))));
      storePair(qj + o, f64x2.add(b, f64x2.mul(vlr, f64x2.sub(f64x2.mul(f64x2.neg(vg), p), f64x2.mul(vRegQi, b)))));
    }
    if (vec < k) {
      const o = (<usize>vec) << 2;
      const p = <f64>load<f32>(pu + o);
      const a = <f64>load<f32>(qi + o);
      const b = <f64>load<f32>(qj + o);
      store<f32>(pu + o, <f32>(p + lr * (g * (a - b) - regPu * p)));
      store<f32>(qi + o, <f32>(a + lr * (g * p - regQi * a)));
      store<f32>(qj + o, <f32>(b + lr * (-g * p - regQi * b)));
    }
  }
  return loss;
}
