// Item-based neighbourhood estimates of one user: the WebAssembly twin of the TypeScript in
// src/core/families/neighbours.ts (itemBasedSums, itemBasedEstimate and finish), the same float64
// additions in the same order, so the numbers are the same to the last bit.

/**
 * Estimates of one user for every item into `out` (f64), or with n > 0 only the n best of the items
 * not marked into outItems/out (estimate descending, ties by lower rank; returns how many).
 *
 * An item's term is the similarity-weighted mean of the user's deviations over its neighbours that the
 * user rated — the k first of them in its list (best first) when more than k — and its estimate
 * min(userPart + itemPart[i] + term, cap), or without a term (fewer than minK found, or Σ s = 0)
 * `fallback` (NaN: userPart + itemPart[i]). rated/devs: the user's items (ascending) and deviations;
 * each adds itself to the sums of the items whose lists hold it (`recs`, 8 bytes each: the owner's id
 * — times 128 plus the neighbour's position in the owner's list with `masks` — and the f32
 * similarity), so an item found at most k times has its sums in rated order. The others sum their k
 * first in list order: with `masks` from the bits of the positions found (lists of at most 128), else
 * by walking their list (ptr/idx/sim). With n > 0 those walk only when their bound (the term is at
 * most the user's largest deviation) reaches the n-th best. sums: nItems × 32 bytes (Σ s·dev, Σ s,
 * then the count or two words of position bits), left zero; devOf: f64 per item, left NaN; marks:
 * a byte per item, 1 for the excluded (read only with n > 0); crowded: i32 per item, scratch.
 */
export function neighbourEstimates(
  nItems: i32, ptr: usize, idx: usize, sim: usize, rPtr: usize, recs: usize, masks: bool, itemPart: usize,
  rated: usize, devs: usize, nRated: i32, k: i32, minK: i32, userPart: f64, cap: f64, fallback: f64,
  sums: usize, devOf: usize, marks: usize, crowded: usize,
  n: i32, rank: usize, outItems: usize, out: usize,
): i32 {
  let most: f64 = 0;
  for (let q = 0; q < nRated; q++) {
    const j = <usize>load<i32>(rated + ((<usize>q) << 2));
    const d = load<f64>(devs + ((<usize>q) << 3));
    most = max(most, d);
    store<f64>(devOf + (j << 3), d);
    const from = load<i32>(rPtr + (j << 2));
    const end = load<i32>(rPtr + ((j + 1) << 2));
    if (masks) {
      for (let t = from; t < end; t++) {
        const rec = recs + ((<usize>t) << 3);
        const packed = <u32>load<i32>(rec);
        const at = sums + ((<usize>(packed >>> 7)) << 5);
        const s = <f64>load<f32>(rec, 4);
        store<f64>(at, load<f64>(at) + s * d);
        store<f64>(at, load<f64>(at, 8) + s, 8);
        const word = at + 16 + ((<usize>(packed & 64)) >>> 3);
        store<u64>(word, load<u64>(word) | ((<u64>1) << (<u64>(packed & 63))));
      }
    } else {
      for (let t = from; t < end; t++) {
        const rec = recs + ((<usize>t) << 3);
        const at = sums + ((<usize>load<i32>(rec)) << 5);
        const s = <f64>load<f32>(rec, 4);
        store<f64>(at, load<f64>(at) + s * d);
        store<f64>(at, load<f64>(at, 8) + s, 8);
        store<f64>(at, load<f64>(at, 16) + 1, 16);
      }
    }
  }
  const kf = <f64>k;
  const noTerm = fallback == fallback;
  const worst = out + ((<usize>(n - 1)) << 3);
  let count = 0;
  let nCrowded = 0;
  for (let i = 0; i < nItems; i++) {
    const at = sums + ((<usize>i) << 5);
    let found: f64;
    if (masks) {
      const lo = load<u64>(at, 16);
      const hi = load<u64>(at, 24);
      found = (lo | hi) == 0 ? 0 : <f64>(popcnt(lo) + popcnt(hi));
    } else found = load<f64>(at, 16);
    let e: f64;
    if (found == 0) {
      // Untouched (its sums are still zero): no term.
      e = noTerm ? fallback : userPart + <f64>load<f32>(itemPart + ((<usize>i) << 2));
    } else if (found > kf) {
      // Sums kept for the walk; with a list, excluded items never need one.
      if (n <= 0 || !load<u8>(marks + <usize>i)) {
        store<i32>(crowded + ((<usize>nCrowded) << 2), i);
        nCrowded++;
      } else clear(at);
      continue;
    } else {
      e = estimate(i, load<f64>(at), load<f64>(at, 8), found, minK, userPart, itemPart, cap, fallback);
      clear(at);
    }
    if (n <= 0) store<f64>(out + ((<usize>i) << 3), e);
    else if ((count < n || e >= load<f64>(worst)) && !load<u8>(marks + <usize>i)) count = insert(e, i, out, outItems, count, n, rank);
  }
  for (let c = 0; c < nCrowded; c++) {
    const i = load<i32>(crowded + ((<usize>c) << 2));
    const at = sums + ((<usize>i) << 5);
    if (n > 0 && count == n) {
      const base = userPart + <f64>load<f32>(itemPart + ((<usize>i) << 2));
      const top = min(base + most + 1e-9 * (1 + abs(base) + abs(most)), cap);
      const bound = max(top, fallback == fallback ? fallback : base);
      if (bound < load<f64>(out + ((<usize>(n - 1)) << 3))) {
        clear(at);
        continue;
      }
    }
    let num: f64 = 0;
    let den: f64 = 0;
    let got: f64 = 0;
    const first = load<i32>(ptr + ((<usize>i) << 2));
    if (masks) {
      // The k lowest positions found, in list order.
      for (let w = 0; w < 2; w++) {
        let bits = load<u64>(at + 16 + (<usize>w << 3));
        while (bits != 0 && got < kf) {
          const p = <usize>first + (<usize>(w << 6)) + <usize>ctz(bits);
          bits &= bits - 1;
          const s = <f64>load<f32>(sim + (p << 2));
          num += s * load<f64>(devOf + ((<usize>load<i32>(idx + (p << 2))) << 3));
          den += s;
          got++;
        }
      }
    } else {
      const end = load<i32>(ptr + ((<usize>i + 1) << 2));
      for (let p = first; p < end && got < kf; p++) {
        const dev = load<f64>(devOf + ((<usize>load<i32>(idx + ((<usize>p) << 2))) << 3));
        if (dev != dev) continue;
        const s = <f64>load<f32>(sim + ((<usize>p) << 2));
        num += s * dev;
        den += s;
        got++;
      }
    }
    clear(at);
    const e = estimate(i, num, den, got, minK, userPart, itemPart, cap, fallback);
    if (n <= 0) store<f64>(out + ((<usize>i) << 3), e);
    else count = insert(e, i, out, outItems, count, n, rank);
  }
  for (let q = 0; q < nRated; q++) store<f64>(devOf + ((<usize>load<i32>(rated + ((<usize>q) << 2))) << 3), NaN);
  return count;
}

@inline
function clear(at: usize): void {
  v128.store(at, i64x2.splat(0));
  v128.store(at, i64x2.splat(0), 16);
}

@inline
function estimate(i: i32, num: f64, den: f64, found: f64, minK: i32, userPart: f64, itemPart: usize, cap: f64, fallback: f64): f64 {
  const base = userPart + <f64>load<f32>(itemPart + ((<usize>i) << 2));
  if (found >= <f64>minK && den > 0) return min(base + num / den, cap);
  return fallback == fallback ? fallback : base;
}

/** Inserts (est, item) into a best-first list of `count` ≤ n entries (higher estimate, then lower rank); returns the new count. */
function insert(est: f64, item: i32, ests: usize, items: usize, count: i32, n: i32, rank: usize): i32 {
  const r = load<i32>(rank + ((<usize>item) << 2));
  if (count == n) {
    const last = <usize>(n - 1);
    const worst = load<f64>(ests + (last << 3));
    if (!(est > worst || (est == worst && r < load<i32>(rank + ((<usize>load<i32>(items + (last << 2))) << 2))))) return count;
  }
  let at = count < n ? count++ : n - 1;
  while (at > 0) {
    const prev = <usize>(at - 1);
    const pe = load<f64>(ests + (prev << 3));
    if (!(est > pe || (est == pe && r < load<i32>(rank + ((<usize>load<i32>(items + (prev << 2))) << 2))))) break;
    store<f64>(ests + (prev << 3), pe, 8);
    store<i32>(items + (prev << 2), load<i32>(items + (prev << 2)), 4);
    at--;
  }
  store<f64>(ests + ((<usize>at) << 3), est);
  store<i32>(items + ((<usize>at) << 2), item);
  return count;
}
