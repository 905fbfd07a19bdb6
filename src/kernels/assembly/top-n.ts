// Top-n unrated items per user: the WebAssembly SIMD twin of `topN` in src/core/reference-kernels.ts.
//
// Item factors arrive as panels of PANEL items: panel p holds (k + 2) rows of PANEL floats, row 0 the
// items' biases (zeros for an unbiased model), row 1 + f factor f of each item and row k + 1 the items'
// norms ‖q_i‖ (rounded up), so that scoring a user against a panel is k broadcast multiply-adds over
// contiguous vectors. Users are processed in blocks against chunks of panels small enough to stay in
// cache, and a bounded insertion list per user (the reference's) only sees items whose score reaches
// the user's current n-th best.
//
// Pruning (exact): items are packed in an order given by the caller (best bound first). By
// Cauchy–Schwarz b_i + q_iᵀp_u ≤ b_i + ‖q_i‖·‖p_u‖; widened by the worst f32 rounding of the (k + 2)-term
// sum, a panel whose items' bounds are all below a full list's n-th best cannot change the list and is
// not scored, nor is a chunk of panels whose bound terms (max b_i, max |b_i|, max ‖q_i‖) are. Scores
// that are computed are computed exactly as without pruning, so the lists are identical, ties included.
//
// Heads (optional): when the caller has an orthonormal basis whose first m vectors hold most of the users'
// factor energy (their principal directions), a second set of panels holds each item's m head coordinates
// and the norm of the rest. In any orthonormal basis qᵀp = h_qᵀh_p + t_qᵀt_p ≤
// h_qᵀh_p + ‖t_q‖·‖t_p‖, a bound that costs m multiply-adds instead of k and is tight when the tails are
// small; a panel whose head bounds, widened like the norm bound, are all below the n-th best is skipped.

const PANEL: i32 = 16;
const USER_BLOCK: i32 = 16;
const CHUNK_BYTES: i32 = 1 << 17;
/** Per panel (and per chunk of panels): max b_i, max |b_i|, max ‖q_i‖, as f64. */
const BOUND_BYTES: i32 = 24;

/** Quads waiting to be scored four at a time: their byte address in the panels, then their first item position. */
const QUEUE_BYTES: i32 = 32;

/** Panels whose dot products the last `topN` computed (the rest were pruned by their bound). */
let panelsScored: f64 = 0;

@inline
function bitmapWords(nItems: i32): i32 {
  return (nItems + 31) >>> 5;
}

@inline
function panelCount(nItems: i32): i32 {
  return (nItems + PANEL - 1) / PANEL;
}

/** Bytes of scratch that `topN` needs: score buffer, exclusion bitmaps of a user block, lists, chunk bounds. */
export function topNScratchBytes(nUsers: i32, nItems: i32, n: i32): usize {
  return (
    64 + QUEUE_BYTES + <usize>USER_BLOCK * <usize>bitmapWords(nItems) * 4 + <usize>nUsers * <usize>n * 4 + <usize>nUsers * 4 +
    <usize>panelCount(nItems) * BOUND_BYTES
  );
}

/** Bytes of the per-panel bounds that `packPanels` writes. */
export function panelBoundBytes(nItems: i32): usize {
  return <usize>panelCount(nItems) * BOUND_BYTES;
}

/**
 * Lays item factors (row-major nItems × k) and biases out as panels, item order[x] at position x: panel
 * p, row 0 the biases of positions 16p…16p+15 (zero when `biased` is false), row 1 + f their factor f,
 * row k + 1 their norms, or `tails[i]` (f64, rounded up) when `tails` is not 0 (head panels). Padding
 * positions are zero. Writes each panel's bound terms to `bounds`.
 */
export function packPanels(
  Q: usize, bias: usize, order: usize, nItems: i32, k: i32, biased: bool, out: usize, bounds: usize, tails: usize,
): void {
  const nPanels = panelCount(nItems);
  const panelBytes = <usize>(k + 2) * 64;
  memory.fill(out, 0, <usize>nPanels * panelBytes);
  for (let p = 0; p < nPanels; p++) {
    let maxB = -Infinity;
    let maxAbsB: f64 = 0;
    let maxNorm: f64 = 0;
    const stop = min((p + 1) * PANEL, nItems);
    for (let x = p * PANEL; x < stop; x++) {
      const i = load<i32>(order + ((<usize>x) << 2));
      const lane = out + <usize>p * panelBytes + ((<usize>(x - p * PANEL)) << 2);
      const b: f32 = biased ? load<f32>(bias + ((<usize>i) << 2)) : 0;
      store<f32>(lane, b);
      const row = Q + <usize>i * <usize>k * 4;
      let sq: f64 = 0;
      for (let f = 0; f < k; f++) {
        const q = load<f32>(row + ((<usize>f) << 2));
        store<f32>(lane + 64 + <usize>f * 64, q);
        sq += <f64>q * <f64>q;
      }
      const norm = sqrt(sq);
      store<f32>(lane + <usize>(k + 1) * 64, roundUp(tails ? load<f64>(tails + ((<usize>i) << 3)) : norm));
      maxB = max(maxB, <f64>b);
      maxAbsB = max(maxAbsB, abs(<f64>b));
      maxNorm = max(maxNorm, norm);
    }
    const at = bounds + <usize>p * BOUND_BYTES;
    store<f64>(at, maxB);
    store<f64>(at, maxAbsB, 8);
    store<f64>(at, maxNorm, 16);
  }
}

/**
 * An f32 no smaller than `x` (≥ 0): f32 rounding moves a value by at most 2⁻²⁴ of it. Storing ‖q_i‖ rounded
 * to nearest instead would still be covered by eps's factor-of-two slack (the tests pass either way; they
 * fail when eps is removed), but rounding up keeps each term of the bound's proof an upper bound on its own.
 */
@inline
function roundUp(x: f64): f32 {
  return <f32>(x * (1 + 1.0 / 1048576));
}

/**
 * Whether every item under bound terms `at` scores below `t` for a user with base `base` and ‖p_u‖ =
 * `pn`. `eps` bounds the relative rounding error of the f32 sum (a multiple of (k + 2)·2⁻²⁴) and is
 * applied to the sum of absolute terms, which Cauchy–Schwarz also bounds; NaN never prunes.
 */
@inline
function below(at: usize, base: f64, pn: f64, eps: f64, t: f32): bool {
  const dot = load<f64>(at, 16) * pn;
  return load<f64>(at) + base + dot + eps * (load<f64>(at, 8) + abs(base) + dot) < <f64>t;
}

/** The reference's order: higher estimate first, then lower item rank. */
@inline
function better(est: f32, item: i32, otherEst: f32, otherItem: i32, rank: usize): bool {
  return (
    est > otherEst ||
    (est == otherEst && load<i32>(rank + ((<usize>item) << 2)) < load<i32>(rank + ((<usize>otherItem) << 2)))
  );
}

/** Inserts (est, item) into a best-first list of `count` ≤ n entries; returns the new count. */
function insert(est: f32, item: i32, ests: usize, items: usize, count: i32, n: i32, rank: usize): i32 {
  const last = (<usize>(n - 1)) << 2;
  if (count == n && !better(est, item, load<f32>(ests + last), load<i32>(items + last), rank)) return count;
  let at = count < n ? count++ : n - 1;
  while (at > 0) {
    const prev = (<usize>(at - 1)) << 2;
    if (!better(est, item, load<f32>(ests + prev), load<i32>(items + prev), rank)) break;
    store<f32>(ests + prev + 4, load<f32>(ests + prev));
    store<i32>(items + prev + 4, load<i32>(items + prev));
    at--;
  }
  store<f32>(ests + ((<usize>at) << 2), est);
  store<i32>(items + ((<usize>at) << 2), item);
  return count;
}

function markExcluded(from: i32, to: i32, exPtr: usize, exIdx: usize, bits: usize, words: i32): void {
  for (let ux = from; ux < to; ux++) {
    const row = bits + <usize>(ux - from) * <usize>words * 4;
    const end = load<i32>(exPtr + ((<usize>ux + 1) << 2));
    for (let x = load<i32>(exPtr + ((<usize>ux) << 2)); x < end; x++) {
      const i = load<i32>(exIdx + ((<usize>x) << 2));
      const w = row + ((<usize>(i >>> 5)) << 2);
      store<u32>(w, load<u32>(w) | (1 << (i & 31)));
    }
  }
}

/**
 * Scores one user against panels [p0, p1) and offers every non-excluded item that can enter the
 * list: est = (μ + b_u) + b_i + q_iᵀp_u, in f32. Returns the user's new list length.
 */
function scoreChunk(
  pu: usize, k: i32, base: f32, panels: usize, p0: i32, p1: i32, nItems: i32,
  bits: usize, ests: usize, items: usize, count: i32, n: i32, rank: usize, tmp: usize,
  order: usize, pn: f32, eps: f32, heads: usize, m: i32, hu: usize, tu: f32, epsH: f32,
): i32 {
  const panelBytes = <usize>(k + 2) * 64;
  const headBytes = <usize>(m + 2) * 64;
  const normRow = <usize>(k + 1) * 64;
  const b = f32x4.splat(base);
  const lastEst = ests + ((<usize>(n - 1)) << 2);
  const pnv = f32x4.splat(pn);
  const epsv = f32x4.splat(eps);
  const absBase = f32x4.splat(abs(base));
  let scored = 0;
  const queue = tmp + 64;
  let queued = 0;
  for (let p = p0; p < p1; p++) {
    const pan = panels + <usize>p * panelBytes;
    let live = 15;
    if (eps > 0 && count == n) {
      const t = f32x4.splat(load<f32>(lastEst));
      const low = v128.and(
        v128.and(laneBelow(pan, normRow, 0, pnv, b, absBase, epsv, t), laneBelow(pan, normRow, 16, pnv, b, absBase, epsv, t)),
        v128.and(laneBelow(pan, normRow, 32, pnv, b, absBase, epsv, t), laneBelow(pan, normRow, 48, pnv, b, absBase, epsv, t)),
      );
      if (i32x4.all_true(low)) continue;
      if (heads) {
        live = headsLive(heads + <usize>p * headBytes, m, hu, tu, pan + normRow, pnv, b, absBase, f32x4.splat(epsH), t);
        if (live == 0) continue;
      }
    }
    scored += popcnt(live);
    // Quads to score wait in a queue and are scored four at a time, from whichever panels, so the loop
    // keeps four independent sums when the head bound clears some quads of a panel (one sum alone would
    // wait on each add). Offering them later is exact: the list's order is total, not offer-dependent.
    for (let q = 0; q < 4; q++) {
      if (!((live >> q) & 1)) continue;
      store<usize>(queue + ((<usize>queued) << 2), pan + ((<usize>q) << 4));
      store<i32>(queue + ((<usize>queued) << 2), p * PANEL + q * 4, 16);
      if (++queued == 4) {
        count = scoreQueued(queue, 4, pu, k, b, nItems, bits, ests, items, count, n, rank, tmp, order);
        queued = 0;
      }
    }
  }
  if (queued > 0) count = scoreQueued(queue, queued, pu, k, b, nItems, bits, ests, items, count, n, rank, tmp, order);
  panelsScored += <f64>scored * 0.25;
  return count;
}

/**
 * Scores the `nq` ≤ 4 queued quads (the missing ones repeat the first, their results unused), each lane
 * as b_i + Σ_f p_f·q_if in f's order, then + base, and offers their items. Returns the list's length.
 */
function scoreQueued(
  queue: usize, nq: i32, pu: usize, k: i32, base: v128, nItems: i32,
  bits: usize, ests: usize, items: usize, count: i32, n: i32, rank: usize, tmp: usize, order: usize,
): i32 {
  const q0 = load<usize>(queue);
  const q1 = nq > 1 ? load<usize>(queue, 4) : q0;
  const q2 = nq > 2 ? load<usize>(queue, 8) : q0;
  const q3 = nq > 3 ? load<usize>(queue, 12) : q0;
  let a0 = v128.load(q0);
  let a1 = v128.load(q1);
  let a2 = v128.load(q2);
  let a3 = v128.load(q3);
  for (let f = 0, row: usize = 64; f < k; f++, row += 64) {
    const w = f32x4.splat(load<f32>(pu + ((<usize>f) << 2)));
    a0 = f32x4.add(a0, f32x4.mul(w, v128.load(q0 + row)));
    a1 = f32x4.add(a1, f32x4.mul(w, v128.load(q1 + row)));
    a2 = f32x4.add(a2, f32x4.mul(w, v128.load(q2 + row)));
    a3 = f32x4.add(a3, f32x4.mul(w, v128.load(q3 + row)));
  }
  a0 = f32x4.add(a0, base);
  a1 = f32x4.add(a1, base);
  a2 = f32x4.add(a2, base);
  a3 = f32x4.add(a3, base);
  if (count == n) {
    // Nothing below the current n-th best can enter; skip the quads without leaving SIMD.
    const t = f32x4.splat(load<f32>(ests + ((<usize>(n - 1)) << 2)));
    const hit = v128.or(v128.or(f32x4.ge(a0, t), f32x4.ge(a1, t)), v128.or(f32x4.ge(a2, t), f32x4.ge(a3, t)));
    if (!v128.any_true(hit)) return count;
  }
  v128.store(tmp, a0);
  v128.store(tmp, a1, 16);
  v128.store(tmp, a2, 32);
  v128.store(tmp, a3, 48);
  for (let j = 0; j < nq; j++) {
    const first = load<i32>(queue + ((<usize>j) << 2), 16);
    const stop = min(first + 4, nItems);
    for (let i = first; i < stop; i++) {
      if ((load<u32>(bits + ((<usize>(i >>> 5)) << 2)) >>> (i & 31)) & 1) continue;
      const item = load<i32>(order + ((<usize>i) << 2));
      count = insert(load<f32>(tmp + ((<usize>(j * 4 + i - first)) << 2)), item, ests, items, count, n, rank);
    }
  }
  return count;
}

/**
 * Lanes (4 items at byte `at` of a panel's rows) whose bound b_i + ‖q_i‖·‖p_u‖ + base, widened by `eps`
 * of the absolute terms, is below `t`. In f32: eps leaves room for this sum's own few roundings.
 */
@inline
function laneBelow(pan: usize, normRow: usize, at: usize, pn: v128, base: v128, absBase: v128, eps: v128, t: v128): v128 {
  const bias = v128.load(pan + at);
  const dot = f32x4.mul(v128.load(pan + normRow + at), pn);
  const hi = f32x4.add(f32x4.add(f32x4.add(bias, dot), base), f32x4.mul(eps, f32x4.add(f32x4.add(f32x4.abs(bias), dot), absBase)));
  return f32x4.lt(hi, t);
}

/**
 * Which quads of 4 items of a head panel may reach `t` (bit q set for quad q): those not all bounded
 * below it by b_i + base + h_qᵀh_p + ‖t_q‖·‖t_p‖, widened by
 * `eps` of b_i's, base's and ‖q_i‖·‖p_u‖'s absolute values (`norms`: the item panel's norm row), which
 * bound the absolute terms of both this sum and the full score's.
 */
@inline
function headsLive(hp: usize, m: i32, hu: usize, tu: f32, norms: usize, pn: v128, base: v128, absBase: v128, eps: v128, t: v128): i32 {
  let a0 = v128.load(hp);
  let a1 = v128.load(hp, 16);
  let a2 = v128.load(hp, 32);
  let a3 = v128.load(hp, 48);
  const s0 = f32x4.add(f32x4.abs(a0), absBase);
  const s1 = f32x4.add(f32x4.abs(a1), absBase);
  const s2 = f32x4.add(f32x4.abs(a2), absBase);
  const s3 = f32x4.add(f32x4.abs(a3), absBase);
  let row = hp + 64;
  for (let f = 0; f < m; f++, row += 64) {
    const w = f32x4.splat(load<f32>(hu + ((<usize>f) << 2)));
    a0 = f32x4.add(a0, f32x4.mul(w, v128.load(row)));
    a1 = f32x4.add(a1, f32x4.mul(w, v128.load(row, 16)));
    a2 = f32x4.add(a2, f32x4.mul(w, v128.load(row, 32)));
    a3 = f32x4.add(a3, f32x4.mul(w, v128.load(row, 48)));
  }
  const tw = f32x4.splat(tu);
  const hi0 = f32x4.add(f32x4.add(f32x4.add(a0, f32x4.mul(tw, v128.load(row))), base), f32x4.mul(eps, f32x4.add(s0, f32x4.mul(v128.load(norms), pn))));
  const hi1 = f32x4.add(f32x4.add(f32x4.add(a1, f32x4.mul(tw, v128.load(row, 16))), base), f32x4.mul(eps, f32x4.add(s1, f32x4.mul(v128.load(norms, 16), pn))));
  const hi2 = f32x4.add(f32x4.add(f32x4.add(a2, f32x4.mul(tw, v128.load(row, 32))), base), f32x4.mul(eps, f32x4.add(s2, f32x4.mul(v128.load(norms, 32), pn))));
  const hi3 = f32x4.add(f32x4.add(f32x4.add(a3, f32x4.mul(tw, v128.load(row, 48))), base), f32x4.mul(eps, f32x4.add(s3, f32x4.mul(v128.load(norms, 48), pn))));
  return (
    (i32x4.all_true(f32x4.lt(hi0, t)) ? 0 : 1) |
    (i32x4.all_true(f32x4.lt(hi1, t)) ? 0 : 2) |
    (i32x4.all_true(f32x4.lt(hi2, t)) ? 0 : 4) |
    (i32x4.all_true(f32x4.lt(hi3, t)) ? 0 : 8)
  );
}

/** Merges the bound terms of panels [p0, p1) into one (the max of each term). */
function mergeBounds(bounds: usize, p0: i32, p1: i32, out: usize): void {
  let maxB = -Infinity;
  let maxAbsB: f64 = 0;
  let maxNorm: f64 = 0;
  for (let p = p0; p < p1; p++) {
    const at = bounds + <usize>p * BOUND_BYTES;
    maxB = max(maxB, load<f64>(at));
    maxAbsB = max(maxAbsB, load<f64>(at, 8));
    maxNorm = max(maxNorm, load<f64>(at, 16));
  }
  store<f64>(out, maxB);
  store<f64>(out, maxAbsB, 8);
  store<f64>(out, maxNorm, 16);
}

/**
 * Top-n for `nUsers` listed users. P: their factor rows (nUsers × k); base: μ + b_u per user (0 when
 * unbiased); norms: ‖p_u‖ per user (f64); exPtr/exIdx: CSR of excluded items by list position, items
 * given by panel position; order: item at each panel position; bounds: `packPanels`' bound terms;
 * rank: tie-break rank per item. `prune` 0 scores every panel (the oracle of the pruned path).
 * heads: head panels (`packPanels` of the m head coordinates with the tail norms), or 0 for none;
 * userHeads/userTails: the listed users' head coordinates (nUsers × m, f32) and tail norms (f64).
 * Writes n items per user (best first, -1 padded) and their estimates clipped to [lo, hi] (NaN padded).
 * Returns how many panels were scored (in quarters: quads of 4 items the head bound did not clear).
 */
export function topN(
  nUsers: i32, P: usize, k: i32, base: usize, norms: usize, exPtr: usize, exIdx: usize,
  panels: usize, order: usize, bounds: usize, nItems: i32, rank: usize, n: i32,
  outItems: usize, outScores: usize, lo: f32, hi: f32, scratch: usize, prune: bool,
  heads: usize, m: i32, userHeads: usize, userTails: usize,
): f64 {
  panelsScored = 0;
  if (n <= 0) return 0;
  const words = bitmapWords(nItems);
  const tmp = scratch;
  const bits = scratch + 64 + QUEUE_BYTES;
  const ests = bits + <usize>USER_BLOCK * <usize>words * 4;
  const counts = ests + <usize>nUsers * <usize>n * 4;
  const chunkBounds = counts + ((<usize>nUsers) << 2);
  const nPanels = panelCount(nItems);
  const chunk = max(1, CHUNK_BYTES / ((k + 2) * 64));
  const listBytes = (<usize>n) << 2;
  // Over twice γ(k+2) = (k+2)u/(1−(k+2)u), u = 2⁻²⁴: the slack covers the bound's own f32 roundings.
  const eps: f64 = prune ? <f64>(k + 10) * 1.1920928955078125e-7 : 0;
  // The head bound's m + 3 terms and its f32-rounded heads add their own roundings to the full score's.
  const epsH: f32 = <f32>(<f64>(k + 2 * m + 20) * 1.1920928955078125e-7);
  const useHeads: usize = prune ? heads : 0;
  for (let p0 = 0, c = 0; p0 < nPanels; p0 += chunk, c++) {
    mergeBounds(bounds, p0, min(p0 + chunk, nPanels), chunkBounds + <usize>c * BOUND_BYTES);
  }
  memory.fill(bits, 0, <usize>USER_BLOCK * <usize>words * 4);
  memory.fill(counts, 0, (<usize>nUsers) << 2);
  for (let ub = 0; ub < nUsers; ub += USER_BLOCK) {
    const ue = min(ub + USER_BLOCK, nUsers);
    markExcluded(ub, ue, exPtr, exIdx, bits, words);
    for (let p0 = 0, ci = 0; p0 < nPanels; p0 += chunk, ci++) {
      const p1 = min(p0 + chunk, nPanels);
      for (let ux = ub; ux < ue; ux++) {
        const c = counts + ((<usize>ux) << 2);
        const count = load<i32>(c);
        const b = load<f32>(base + ((<usize>ux) << 2));
        const pn = prune ? load<f64>(norms + ((<usize>ux) << 3)) : 0;
        const ests_u = ests + <usize>ux * listBytes;
        if (prune && count == n && below(chunkBounds + <usize>ci * BOUND_BYTES, <f64>b, pn, eps, load<f32>(ests_u + listBytes - 4))) continue;
        const userBits = bits + <usize>(ux - ub) * <usize>words * 4;
        const pu = P + <usize>ux * <usize>k * 4;
        const items_u = outItems + <usize>ux * listBytes;
        store<i32>(c, scoreChunk(pu, k, b, panels, p0, p1, nItems, userBits, ests_u, items_u, count, n, rank, tmp, order, roundUp(pn), <f32>eps,
          useHeads, m, userHeads + <usize>ux * <usize>m * 4, useHeads ? roundUp(load<f64>(userTails + ((<usize>ux) << 3))) : 0, epsH));
      }
    }
    memory.fill(bits, 0, <usize>USER_BLOCK * <usize>words * 4);
  }
  for (let ux = 0; ux < nUsers; ux++) {
    const count = load<i32>(counts + ((<usize>ux) << 2));
    for (let x = 0; x < n; x++) {
      const at = <usize>ux * listBytes + ((<usize>x) << 2);
      if (x < count) {
        store<f32>(outScores + at, min(max(load<f32>(ests + at), lo), hi));
      } else {
        store<i32>(outItems + at, -1);
        store<f32>(outScores + at, NaN);
      }
    }
  }
  return panelsScored;
}

/**
 * Head coordinates and tail norms of `rows` rows of X (f32, k wide) in the basis whose first m vectors
 * are V's rows (f64, m × k, orthonormal): heads (f32, rows × m) = V·x, tails (f64) = √(‖x‖² − ‖V·x‖²),
 * widened by 2⁻⁴⁰·‖x‖² so that V's f64 orthonormality defect never makes a tail too small.
 */
export function projectRows(X: usize, rows: i32, k: i32, V: usize, m: i32, heads: usize, tails: usize): void {
  for (let r = 0; r < rows; r++) {
    const x = X + <usize>r * <usize>k * 4;
    let total: f64 = 0;
    for (let f = 0; f < k; f++) {
      const v = <f64>load<f32>(x + ((<usize>f) << 2));
      total += v * v;
    }
    let head: f64 = 0;
    for (let a = 0; a < m; a++) {
      const row = V + <usize>a * <usize>k * 8;
      let acc = f64x2.splat(0);
      let f = 0;
      for (; f + 1 < k; f += 2) {
        const xv = f64x2(<f64>load<f32>(x + ((<usize>f) << 2)), <f64>load<f32>(x + ((<usize>f) << 2), 4));
        acc = f64x2.add(acc, f64x2.mul(xv, v128.load(row + ((<usize>f) << 3))));
      }
      let d = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      if (f < k) d += <f64>load<f32>(x + ((<usize>f) << 2)) * load<f64>(row + ((<usize>f) << 3));
      store<f32>(heads + (<usize>r * <usize>m + <usize>a) * 4, <f32>d);
      head += d * d;
    }
    store<f64>(tails + ((<usize>r) << 3), sqrt(max(0, total - head) + total * 9.094947017729282e-13));
  }
}
