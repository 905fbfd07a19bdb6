// One SGD epoch of (biased) SVD over a CSR trainset in linear memory: the WebAssembly SIMD twin of
// `svdSgd` in src/core/reference-kernels.ts, which defines the semantics.
//
// Layout (byte addresses, set up by wasm-kernels.ts): userPtr i32[nUsers+1], itemIdx i32[nRatings],
// ratings f32[nRatings], bu f32[nUsers], bi f32[nItems], P f32[nUsers*stride], Q f32[nItems*stride].
// `stride` is nFactors rounded up to a multiple of 4 and rows are 16-byte aligned; the padding lanes
// hold zeros and stay zero (every update of a zero lane is a·0 + b·0), so no scalar tail is needed.

/** q·p over one padded row; four accumulators so the adds do not wait on each other. */
@inline
function dotRow(p: usize, q: usize, rowBytes: usize): f32 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  let o: usize = 0;
  for (; o + 64 <= rowBytes; o += 64) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(p + o), v128.load(q + o)));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(p + o, 16), v128.load(q + o, 16)));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(p + o, 32), v128.load(q + o, 32)));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(p + o, 48), v128.load(q + o, 48)));
  }
  for (; o < rowBytes; o += 16) s0 = f32x4.add(s0, f32x4.mul(v128.load(p + o), v128.load(q + o)));
  return hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
}

@inline
function hsum(s: v128): f32 {
  s = f32x4.add(s, v128.shuffle<f32>(s, s, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/**
 * Updates four lanes of p_u and q_i from their old values and returns p_u'·q_next for those lanes.
 * q_next is loaded after q_i' is stored, so the product is right even when next is the same item.
 */
@inline
function step(pu: usize, qi: usize, qn: usize, decayP: v128, gainP: v128, decayQ: v128, gainQ: v128): v128 {
  const p = v128.load(pu);
  const q = v128.load(qi);
  const p2 = f32x4.add(f32x4.mul(decayP, p), f32x4.mul(gainP, q));
  v128.store(pu, p2);
  v128.store(qi, f32x4.add(f32x4.mul(decayQ, q), f32x4.mul(gainQ, p)));
  return f32x4.mul(p2, v128.load(qn));
}

/**
 * Users uFrom … uTo − 1 of an epoch; returns `sse` plus their squared pre-update errors, so calls
 * over consecutive user ranges sum exactly as one call over all. Per rating (Koren, Bell & Volinsky 2009, eq. 5):
 *   e = r − (μ + b_u + b_i + q_iᵀp_u)            (unbiased: e = r − q_iᵀp_u)
 *   b_u ← b_u + γ_bu (e − λ_bu b_u);  b_i ← b_i + γ_bi (e − λ_bi b_i)
 *   p_u ← (1 − γ_pu λ_pu) p_u + γ_pu e q_i;  q_i ← (1 − γ_qi λ_qi) q_i + γ_qi e p_u   (both from old values)
 * The factor updates are eq. 5 with the decay factored out. A user's next rating needs p_u'·q_next, so
 * the pass that writes p_u' also accumulates that dot product: one sweep over the row per rating.
 */
export function svdEpoch(
  uFrom: i32,
  uTo: i32,
  userPtr: usize,
  itemIdx: usize,
  ratings: usize,
  bu: usize,
  bi: usize,
  P: usize,
  Q: usize,
  stride: i32,
  mu: f64,
  biased: bool,
  lrBu: f64,
  lrBi: f64,
  lrPu: f64,
  lrQi: f64,
  regBu: f64,
  regBi: f64,
  regPu: f64,
  regQi: f64,
  sse: f64,
): f64 {
  const rowBytes = (<usize>stride) << 2;
  const decayP = f32x4.splat(<f32>(1 - lrPu * regPu));
  const decayQ = f32x4.splat(<f32>(1 - lrQi * regQi));
  for (let u = uFrom; u < uTo; u++) {
    const pu = P + <usize>u * rowBytes;
    const bux = bu + ((<usize>u) << 2);
    const start = load<i32>(userPtr + ((<usize>u) << 2));
    const end = load<i32>(userPtr + ((<usize>u + 1) << 2));
    if (start >= end) continue;
    let i = load<i32>(itemIdx + ((<usize>start) << 2));
    let dot = dotRow(pu, Q + <usize>i * rowBytes, rowBytes);
    for (let x = start; x < end; x++) {
      const r = <f64>load<f32>(ratings + ((<usize>x) << 2));
      let err: f64;
      if (biased) {
        const bix = bi + ((<usize>i) << 2);
        const bU = <f64>load<f32>(bux);
        const bI = <f64>load<f32>(bix);
        err = r - (mu + bU + bI + <f64>dot);
        store<f32>(bux, <f32>(bU + lrBu * (err - regBu * bU)));
        store<f32>(bix, <f32>(bI + lrBi * (err - regBi * bI)));
      } else {
        err = r - <f64>dot;
      }
      sse += err * err;
      // The last rating of the user has no next one: its dot product (with q_i itself) is discarded.
      const next = x + 1 < end ? load<i32>(itemIdx + ((<usize>x + 1) << 2)) : i;
      const qi = Q + <usize>i * rowBytes;
      const qn = Q + <usize>next * rowBytes;
      const gainP = f32x4.splat(<f32>(lrPu * err));
      const gainQ = f32x4.splat(<f32>(lrQi * err));
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      let o: usize = 0;
      for (; o + 64 <= rowBytes; o += 64) {
        s0 = f32x4.add(s0, step(pu + o, qi + o, qn + o, decayP, gainP, decayQ, gainQ));
        s1 = f32x4.add(s1, step(pu + o + 16, qi + o + 16, qn + o + 16, decayP, gainP, decayQ, gainQ));
        s2 = f32x4.add(s2, step(pu + o + 32, qi + o + 32, qn + o + 32, decayP, gainP, decayQ, gainQ));
        s3 = f32x4.add(s3, step(pu + o + 48, qi + o + 48, qn + o + 48, decayP, gainP, decayQ, gainQ));
      }
      for (; o < rowBytes; o += 16) s0 = f32x4.add(s0, step(pu + o, qi + o, qn + o, decayP, gainP, decayQ, gainQ));
      dot = hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
      i = next;
    }
  }
  return sse;
}

/**
 * Sum of squared errors of the clipped factor estimates (model.ts `factorEstimate`, then `clip`) over
 * held-out ratings whose inner ids are `users[k]`, `items[k]` (-1: not in the trainset). Run between
 * epochs on the fit's own arrays, so a held-out curve costs one pass over the test part and no copy.
 */
export function heldOutSse(
  n: i32,
  users: usize,
  items: usize,
  ratings: usize,
  bu: usize,
  bi: usize,
  P: usize,
  Q: usize,
  stride: i32,
  mean: f64,
  biased: bool,
  lo: f64,
  hi: f64,
): f64 {
  const rowBytes = (<usize>stride) << 2;
  let sse: f64 = 0;
  for (let k = 0; k < n; k++) {
    const u = load<i32>(users + ((<usize>k) << 2));
    const i = load<i32>(items + ((<usize>k) << 2));
    let est: f64 = mean;
    if (biased) {
      if (u >= 0) est += <f64>load<f32>(bu + ((<usize>u) << 2));
      if (i >= 0) est += <f64>load<f32>(bi + ((<usize>i) << 2));
      if (u >= 0 && i >= 0) est += <f64>dotRow(P + <usize>u * rowBytes, Q + <usize>i * rowBytes, rowBytes);
    } else if (u >= 0 && i >= 0) {
      est = <f64>dotRow(P + <usize>u * rowBytes, Q + <usize>i * rowBytes, rowBytes);
    }
    if (est < lo) est = lo;
    else if (est > hi) est = hi;
    const err = <f64>load<f32>(ratings + ((<usize>k) << 2)) - est;
    sse += err * err;
  }
  return sse;
}
