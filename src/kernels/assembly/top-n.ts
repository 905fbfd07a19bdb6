// Top-n unrated items per user: the WebAssembly SIMD twin of `topN` in src/core/reference-kernels.ts.
//
// Item factors arrive as panels of PANEL items: panel p holds (k + 1) rows of PANEL floats, row 0 the
// items' biases (zeros for an unbiased model) and row 1 + f factor f of each item, so that scoring a
// user against a panel is k broadcast multiply-adds over contiguous vectors. Users are processed in
// blocks against chunks of panels small enough to stay in cache, and a bounded insertion list per user
// (the reference's) only sees items whose score reaches the user's current n-th best.

const PANEL: i32 = 16;
const USER_BLOCK: i32 = 16;
const CHUNK_BYTES: i32 = 1 << 17;

@inline
function bitmapWords(nItems: i32): i32 {
  return (nItems + 31) >>> 5;
}

/** Bytes of scratch that `topN` needs: score buffer, exclusion bitmaps of a user block, lists. */
export function topNScratchBytes(nUsers: i32, nItems: i32, n: i32): usize {
  return 64 + <usize>USER_BLOCK * <usize>bitmapWords(nItems) * 4 + <usize>nUsers * <usize>n * 4 + <usize>nUsers * 4;
}

/**
 * Lays item factors (row-major nItems × k) and biases out as panels: panel p, row 0 the biases of items
 * 16p…16p+15 (zero when `biased` is false), row 1 + f their factor f. Padding items are zero.
 */
export function packPanels(Q: usize, bias: usize, nItems: i32, k: i32, biased: bool, out: usize): void {
  const nPanels = (nItems + PANEL - 1) / PANEL;
  const panelBytes = <usize>(k + 1) * 64;
  memory.fill(out, 0, <usize>nPanels * panelBytes);
  for (let i = 0; i < nItems; i++) {
    const lane = out + <usize>(i / PANEL) * panelBytes + ((<usize>(i % PANEL)) << 2);
    if (biased) store<f32>(lane, load<f32>(bias + ((<usize>i) << 2)));
    const row = Q + <usize>i * <usize>k * 4;
    for (let f = 0; f < k; f++) store<f32>(lane + 64 + <usize>f * 64, load<f32>(row + ((<usize>f) << 2)));
  }
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
): i32 {
  const panelBytes = <usize>(k + 1) * 64;
  const b = f32x4.splat(base);
  const lastEst = ests + ((<usize>(n - 1)) << 2);
  for (let p = p0; p < p1; p++) {
    const pan = panels + <usize>p * panelBytes;
    let a0 = v128.load(pan);
    let a1 = v128.load(pan, 16);
    let a2 = v128.load(pan, 32);
    let a3 = v128.load(pan, 48);
    let row = pan + 64;
    for (let f = 0; f < k; f++, row += 64) {
      const w = f32x4.splat(load<f32>(pu + ((<usize>f) << 2)));
      a0 = f32x4.add(a0, f32x4.mul(w, v128.load(row)));
      a1 = f32x4.add(a1, f32x4.mul(w, v128.load(row, 16)));
      a2 = f32x4.add(a2, f32x4.mul(w, v128.load(row, 32)));
      a3 = f32x4.add(a3, f32x4.mul(w, v128.load(row, 48)));
    }
    a0 = f32x4.add(a0, b);
    a1 = f32x4.add(a1, b);
    a2 = f32x4.add(a2, b);
    a3 = f32x4.add(a3, b);
    if (count == n) {
      // Nothing below the current n-th best can enter; skip the panel without leaving SIMD.
      const t = f32x4.splat(load<f32>(lastEst));
      const hit = v128.or(v128.or(f32x4.ge(a0, t), f32x4.ge(a1, t)), v128.or(f32x4.ge(a2, t), f32x4.ge(a3, t)));
      if (!v128.any_true(hit)) continue;
    }
    v128.store(tmp, a0);
    v128.store(tmp, a1, 16);
    v128.store(tmp, a2, 32);
    v128.store(tmp, a3, 48);
    const first = p * PANEL;
    const stop = min(first + PANEL, nItems);
    for (let i = first; i < stop; i++) {
      if ((load<u32>(bits + ((<usize>(i >>> 5)) << 2)) >>> (i & 31)) & 1) continue;
      count = insert(load<f32>(tmp + ((<usize>(i - first)) << 2)), i, ests, items, count, n, rank);
    }
  }
  return count;
}

/**
 * Top-n for `nUsers` listed users. P: their factor rows (nUsers × k); base: μ + b_u per user (0 when
 * unbiased); exPtr/exIdx: CSR of excluded items by list position; rank: tie-break rank per item.
 * Writes n items per user (best first, -1 padded) and their estimates clipped to [lo, hi] (NaN padded).
 */
export function topN(
  nUsers: i32, P: usize, k: i32, base: usize, exPtr: usize, exIdx: usize,
  panels: usize, nItems: i32, rank: usize, n: i32,
  outItems: usize, outScores: usize, lo: f32, hi: f32, scratch: usize,
): void {
  if (n <= 0) return;
  const words = bitmapWords(nItems);
  const tmp = scratch;
  const bits = scratch + 64;
  const ests = bits + <usize>USER_BLOCK * <usize>words * 4;
  const counts = ests + <usize>nUsers * <usize>n * 4;
  const nPanels = (nItems + PANEL - 1) / PANEL;
  const chunk = max(1, CHUNK_BYTES / ((k + 1) * 64));
  const listBytes = (<usize>n) << 2;
  memory.fill(bits, 0, <usize>USER_BLOCK * <usize>words * 4);
  memory.fill(counts, 0, (<usize>nUsers) << 2);
  for (let ub = 0; ub < nUsers; ub += USER_BLOCK) {
    const ue = min(ub + USER_BLOCK, nUsers);
    markExcluded(ub, ue, exPtr, exIdx, bits, words);
    for (let p0 = 0; p0 < nPanels; p0 += chunk) {
      const p1 = min(p0 + chunk, nPanels);
      for (let ux = ub; ux < ue; ux++) {
        const c = counts + ((<usize>ux) << 2);
        const userBits = bits + <usize>(ux - ub) * <usize>words * 4;
        const pu = P + <usize>ux * <usize>k * 4;
        const b = load<f32>(base + ((<usize>ux) << 2));
        const ests_u = ests + <usize>ux * listBytes;
        const items_u = outItems + <usize>ux * listBytes;
        store<i32>(c, scoreChunk(pu, k, b, panels, p0, p1, nItems, userBits, ests_u, items_u, load<i32>(c), n, rank, tmp));
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
}
