import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildTrainset,
  createRng,
  exclusionsOf,
  IdMap,
  itemIdRank,
  predictTestset,
  referenceKernels,
  type Dataset,
  type Exclusions,
  type FactorModel,
  type Kernels,
  type SvdRates,
  type SvdState,
  type Trainset,
} from '../core/index.js';
import { createWasmKernels, loadKernels, wasmModule } from './index.js';
import { popularFirstRows } from './item-rows.js';

const wasm = loadKernels('wasm');
// Ten times Surprise's learning rate: a deviation from the update order then shows as ~1e-2, far above f32 noise.
const rates: SvdRates = { lrBu: 0.05, lrBi: 0.04, lrPu: 0.05, lrQi: 0.03, regBu: 0.02, regBi: 0.03, regPu: 0.05, regQi: 0.04 };

/** Ratings 1–5 with planted structure, each user rating a random share (`rated(i)`, ~30%) of items in random order. */
function syntheticTrainset(nUsers: number, nItems: number, seed: number, rated: (item: number) => number = () => 0.3): Trainset {
  const rng = createRng(seed);
  const users: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  const taste = Array.from({ length: nUsers + nItems }, () => rng.normal());
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      if (rng.next() > rated(i)) continue;
      users.push(u);
      items.push(i);
      ratings.push(Math.min(5, Math.max(1, Math.round(3 + taste[u] * taste[nUsers + i] + 0.5 * rng.normal()))));
    }
  }
  const order = users.map((_, x) => x);
  for (let x = order.length - 1; x > 0; x--) {
    const j = rng.int(x + 1);
    [order[x], order[j]] = [order[j], order[x]];
  }
  const ds: Dataset = {
    size: order.length,
    users: Int32Array.from(order, (x) => users[x]),
    items: Int32Array.from(order, (x) => items[x]),
    ratings: Float32Array.from(order, (x) => ratings[x]),
    userIds: IdMap.from(Array.from({ length: nUsers }, (_, u) => `u${u}`)),
    itemIds: IdMap.from(Array.from({ length: nItems }, (_, i) => String(1000 + i))),
    scale: { min: 1, max: 5 },
  };
  return buildTrainset(ds).trainset;
}

function initialState(ts: Trainset, k: number, biased: boolean, seed: number): SvdState {
  const rng = createRng(seed);
  const normals = (n: number) => Float32Array.from({ length: n }, () => 0.1 * rng.normal());
  return {
    nFactors: k,
    biased,
    userBias: new Float32Array(ts.nUsers),
    itemBias: new Float32Array(ts.nItems),
    userFactors: normals(ts.nUsers * k),
    itemFactors: normals(ts.nItems * k),
  };
}

const copyState = (s: SvdState): SvdState => ({
  ...s,
  userBias: s.userBias.slice(),
  itemBias: s.itemBias.slice(),
  userFactors: s.userFactors.slice(),
  itemFactors: s.itemFactors.slice(),
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let x = 0; x < a.length; x++) m = Math.max(m, Math.abs(a[x] - b[x]));
  return m;
}

function train(kernels: Kernels, ts: Trainset, state: SvdState, epochs: number): number[] {
  const curve: number[] = [];
  kernels.svdSgd(ts, state, rates, epochs, (_, r) => curve.push(r));
  return curve;
}

function modelOf(ts: Trainset, s: SvdState): FactorModel {
  return { algorithm: 'svd', globalMean: ts.globalMean, scale: ts.scale, userIds: ts.userIds, itemIds: ts.itemIds, ...s };
}

/**
 * The wasm kernel computes factor updates in f32 while the reference computes in f64 and rounds on
 * store; both round every stored parameter to f32 (relative 6e-8). Over five epochs the differences
 * measured ≤ 1e-6 on values of order 0.1–1; updating q_i from the new p_u instead of the old one moves
 * them by ~7e-2 at these rates. 1e-5 sits an order above the noise and far below any such error.
 */
const FACTOR_TOLERANCE = 1e-5;

describe('wasm SVD SGD agrees with the reference kernel', () => {
  const ts = syntheticTrainset(40, 60, 1);
  for (const [k, biased] of [
    [100, true],
    [8, true],
    [7, true],
    [3, false],
    [1, true],
    [0, true],
  ] as const) {
    it(`k = ${k}, ${biased ? 'biased' : 'unbiased'}: same factors, biases and training curve after 5 epochs`, () => {
      const start = initialState(ts, k, biased, 7);
      const ref = copyState(start);
      const got = copyState(start);
      const refCurve = train(referenceKernels, ts, ref, 5);
      const gotCurve = train(wasm, ts, got, 5);
      assert.equal(gotCurve.length, 5);
      gotCurve.forEach((r, e) => assert.ok(Math.abs(r - refCurve[e]) < 1e-6, `epoch ${e + 1}: ${r} vs ${refCurve[e]}`));
      assert.ok(refCurve[4] < refCurve[0], 'training error falls');
      assert.ok(maxAbsDiff(got.userFactors, ref.userFactors) < FACTOR_TOLERANCE);
      assert.ok(maxAbsDiff(got.itemFactors, ref.itemFactors) < FACTOR_TOLERANCE);
      assert.ok(maxAbsDiff(got.userBias, ref.userBias) < FACTOR_TOLERANCE);
      assert.ok(maxAbsDiff(got.itemBias, ref.itemBias) < FACTOR_TOLERANCE);
      if (!biased) assert.ok(got.userBias.every((b) => b === 0) && got.itemBias.every((b) => b === 0), 'unbiased keeps biases at zero');
      assert.notDeepEqual(
        k > 0 ? got.itemFactors : got.itemBias,
        k > 0 ? start.itemFactors : start.itemBias,
        'training moved the parameters',
      );
    });
  }

  it('a fit needing more than 64 MB of linear memory (own instance) agrees, and the kernels still serve top-N after it', () => {
    // ~180k users with ratings × 100 factors is 72 MB of user factors alone: past the own-instance threshold.
    const big = syntheticTrainset(240_000, 4, 5);
    assert.ok(big.nUsers * 100 * 4 > 64 * 2 ** 20, `${big.nUsers} users`);
    const start = initialState(big, 100, true, 9);
    const ref = copyState(start);
    const got = copyState(start);
    const refCurve = train(referenceKernels, big, ref, 1);
    const gotCurve = train(wasm, big, got, 1);
    assert.ok(Math.abs(gotCurve[0] - refCurve[0]) < 1e-6, `${gotCurve[0]} vs ${refCurve[0]}`);
    assert.ok(maxAbsDiff(got.userFactors, ref.userFactors) < FACTOR_TOLERANCE);
    assert.ok(maxAbsDiff(got.itemFactors, ref.itemFactors) < FACTOR_TOLERANCE);
    assert.ok(maxAbsDiff(got.itemBias, ref.itemBias) < FACTOR_TOLERANCE);
    const model = modelOf(big, got);
    const users = Int32Array.from([0, 1, 99_999, big.nUsers - 1]);
    const args = [model, users, exclusionsOf(big), 2, itemIdRank(model.itemIds)] as const;
    assert.deepEqual(wasm.topN(...args).items, referenceKernels.topN(...args).items);
  });

  it('gives near-identical predictions on held-out pairs', () => {
    const ref = initialState(ts, 12, true, 3);
    const got = copyState(ref);
    train(referenceKernels, ts, ref, 10);
    train(wasm, ts, got, 10);
    const users = Int32Array.from({ length: 500 }, (_, x) => x % ts.nUsers);
    const items = Int32Array.from({ length: 500 }, (_, x) => (x * 7) % ts.nItems);
    const test = { size: 500, users, items, ratings: new Float32Array(500) };
    const a = predictTestset(modelOf(ts, ref), test);
    const b = predictTestset(modelOf(ts, got), test);
    for (let x = 0; x < 500; x++) assert.ok(Math.abs(a[x] - b[x]) < 1e-4, `pair ${x}: ${a[x]} vs ${b[x]}`);
  });

  it('syncs the state mid-fit on request: after epoch e it holds exactly a fit of e epochs (k = 7: padded rows)', () => {
    const start = initialState(ts, 7, true, 4);
    const s = copyState(start);
    const mid: SvdState[] = [];
    wasm.svdSgd(ts, s, rates, 3, (epoch, _, sync) => {
      // Untouched until asked: the fit runs in linear memory.
      if (epoch === 1) assert.deepEqual(s.userFactors, start.userFactors);
      sync();
      mid.push(copyState(s));
    });
    for (let e = 1; e <= 3; e++) {
      const alone = copyState(start);
      wasm.svdSgd(ts, alone, rates, e);
      assert.deepEqual(mid[e - 1], alone, `after epoch ${e}`);
    }
  });

  it('scores held-out ratings after every epoch in linear memory: the RMSE of predictTestset on the state as it stands (unknown ids, clipping, k = 7, biased and not)', () => {
    const rng = createRng(9);
    const size = 400;
    // Some users and items unknown to the trainset (-1), ratings spread so that clipping at 1 and 5 happens.
    const users = Int32Array.from({ length: size }, (_, x) => (x % 13 === 0 ? -1 : rng.int(ts.nUsers)));
    const items = Int32Array.from({ length: size }, (_, x) => (x % 17 === 0 ? -1 : rng.int(ts.nItems)));
    const ratings = Float32Array.from({ length: size }, () => 1 + rng.int(9) / 2);
    const test = { size, users, items, ratings };
    for (const biased of [true, false]) {
      const s = initialState(ts, 7, biased, 5);
      const held: number[] = [];
      const expected: number[] = [];
      wasm.svdSgd(
        ts,
        s,
        rates,
        4,
        (_, __, sync, heldOutRmse) => {
          held.push(heldOutRmse ?? Number.NaN);
          sync();
          const pred = predictTestset(modelOf(ts, s), test);
          let sse = 0;
          for (let x = 0; x < size; x++) sse += (pred[x] - ratings[x]) ** 2;
          expected.push(Math.sqrt(sse / size));
        },
        test,
      );
      assert.equal(held.length, 4);
      // f32 dot products (SIMD) against f64 ones: agreement to float rounding, and the curve moves.
      for (let e = 0; e < 4; e++)
        assert.ok(Math.abs(held[e] - expected[e]) < 1e-5, `biased ${biased}, epoch ${e + 1}: ${held[e]} vs ${expected[e]}`);
      assert.notEqual(held[0], held[3]);
      // The reference kernel hands over the same figures.
      const refHeld: number[] = [];
      referenceKernels.svdSgd(ts, initialState(ts, 7, biased, 5), rates, 4, (_, __, ___, h) => refHeld.push(h ?? Number.NaN), test);
      for (let e = 0; e < 4; e++) assert.ok(Math.abs(refHeld[e] - held[e]) < 1e-4, `reference, epoch ${e + 1}`);
    }
    assert.throws(() => wasm.svdSgd(ts, initialState(ts, 4, true, 1), rates, 1, undefined, { ...test, items: new Int32Array(3) }), {
      code: 'INVALID_ARGUMENT',
      message: /held-out items has 3 entries/,
    });
  });

  it('leaves zero epochs as a no-op and rejects state arrays of the wrong size', () => {
    const s = initialState(ts, 4, true, 1);
    const before = copyState(s);
    wasm.svdSgd(ts, s, rates, 0);
    assert.deepEqual(s, before);
    assert.throws(() => wasm.svdSgd(ts, { ...s, itemFactors: new Float32Array(3) }, rates, 1), {
      code: 'INVALID_ARGUMENT',
      message: /itemFactors has 3 entries, expected 240/,
    });
  });
});

describe('wasm top-N agrees with the reference kernel', () => {
  const ts = syntheticTrainset(50, 70, 2);
  const rank = itemIdRank(ts.itemIds);
  const allUsers = Int32Array.from({ length: ts.nUsers }, (_, u) => u);

  function randomModel(k: number, biased: boolean, seed: number): FactorModel {
    const s = initialState(ts, k, biased, seed);
    const rng = createRng(seed + 1);
    if (biased) s.itemBias.forEach((_, i) => (s.itemBias[i] = rng.normal()));
    s.userFactors.forEach((_, x) => (s.userFactors[x] *= 10));
    return modelOf(ts, s);
  }

  for (const [k, biased] of [
    [100, true],
    [16, false],
    [7, true],
    [3, true],
    [0, true],
  ] as const) {
    it(`k = ${k}, ${biased ? 'biased' : 'unbiased'}: identical lists, same clipped scores, exclusions honoured`, () => {
      const model = randomModel(k, biased, 11 + k);
      const n = 10;
      const ref = referenceKernels.topN(model, allUsers, exclusionsOf(ts), n, rank);
      const got = wasm.topN(model, allUsers, exclusionsOf(ts), n, rank);
      assert.deepEqual(got.items, ref.items);
      assert.ok(maxAbsDiff(got.scores, ref.scores) < 1e-5);
      for (let u = 0; u < ts.nUsers; u++) {
        const rated = new Set(ts.itemIdx.subarray(ts.userPtr[u], ts.userPtr[u + 1]));
        for (let r = 0; r < n; r++) assert.ok(!rated.has(got.items[u * n + r]), `user ${u} got rated item ${got.items[u * n + r]}`);
      }
      assert.ok(
        got.scores.every((s) => s >= 1 && s <= 5),
        'scores are clipped to the scale',
      );
    });
  }

  it('ranks by the unclipped estimate, so clipped 5.0s keep their order', () => {
    const model = randomModel(4, true, 5);
    const big = { ...model, globalMean: 10 };
    const ref = referenceKernels.topN(big, allUsers, exclusionsOf(ts), 5, rank);
    const got = wasm.topN(big, allUsers, exclusionsOf(ts), 5, rank);
    assert.ok(got.scores.every((s) => s === 5));
    assert.deepEqual(got.items, ref.items);
  });

  it('breaks exact ties by item rank ascending', () => {
    // Items 0..19 get identical factors and biases: equal estimates in f32 and f64 alike.
    const model = randomModel(6, true, 9);
    for (let i = 1; i < 20; i++) model.itemFactors.copyWithin(i * 6, 0, 6);
    model.itemBias.fill(100, 0, 20); // ...and all of them far ahead of the rest
    const shuffled = Int32Array.from({ length: ts.nItems }, (_, i) => (i * 37) % ts.nItems); // a permutation (gcd(37, 70) = 1)
    const none = { userPtr: new Int32Array(ts.nUsers + 1), itemIdx: new Int32Array(0) };
    const got = wasm.topN(model, allUsers, none, 8, shuffled);
    const ref = referenceKernels.topN(model, allUsers, none, 8, shuffled);
    assert.deepEqual(got.items, ref.items);
    const expected = Array.from({ length: 20 }, (_, i) => i)
      .sort((a, b) => shuffled[a] - shuffled[b])
      .slice(0, 8);
    for (let u = 0; u < ts.nUsers; u++) assert.deepEqual([...got.items.subarray(u * 8, u * 8 + 8)], expected);
  });

  it('pads with -1 and NaN when a user has fewer than n candidates, and serves a subset of users in the given order', () => {
    const model = randomModel(5, true, 4);
    // User 3 has rated everything but items 10 and 20.
    const rated = Array.from({ length: ts.nItems }, (_, i) => i).filter((i) => i !== 10 && i !== 20);
    const exclude = {
      userPtr: Int32Array.of(0, 0, 0, 0, rated.length, ...new Array(ts.nUsers - 4).fill(rated.length)),
      itemIdx: Int32Array.from(rated),
    };
    const users = Int32Array.of(3, 0, 3);
    const got = wasm.topN(model, users, exclude, 4, rank);
    const ref = referenceKernels.topN(model, users, exclude, 4, rank);
    assert.deepEqual(got.items, ref.items);
    assert.deepEqual([...got.items.subarray(0, 4)].sort(), [-1, -1, 10, 20].sort());
    assert.deepEqual([...got.items.subarray(2, 4)], [-1, -1]);
    assert.ok(Number.isNaN(got.scores[2]) && Number.isNaN(got.scores[3]));
    assert.deepEqual(got.items.subarray(8, 12), got.items.subarray(0, 4));
    assert.equal(got.items.subarray(4, 8).indexOf(-1), -1);
  });

  it('handles n = 0, no users, and rejects user indices outside the model', () => {
    const model = randomModel(4, true, 6);
    assert.equal(wasm.topN(model, allUsers, exclusionsOf(ts), 0, rank).items.length, 0);
    assert.equal(wasm.topN(model, new Int32Array(0), exclusionsOf(ts), 5, rank).items.length, 0);
    assert.throws(() => wasm.topN(model, Int32Array.of(ts.nUsers), exclusionsOf(ts), 5, rank), {
      code: 'INVALID_ARGUMENT',
      message: /user index 50/,
    });
  });

  it('re-packs the item side after another call reused the linear memory', () => {
    const model = randomModel(8, true, 12);
    const kernels = loadKernels('wasm');
    const first = kernels.topN(model, allUsers, exclusionsOf(ts), 6, rank);
    const other = syntheticTrainset(200, 300, 3);
    kernels.svdSgd(other, initialState(other, 8, true, 1), rates, 1);
    const second = kernels.topN(model, allUsers, exclusionsOf(ts), 6, rank);
    assert.deepEqual(second, first);
    const changed = { ...model, itemBias: model.itemBias.map((b, i) => (i === first.items[0] ? b - 1000 : b)) };
    assert.notEqual(kernels.topN(changed, allUsers, exclusionsOf(ts), 6, rank).items[0], first.items[0]);
  });
});

describe('wasm sumRows agrees with the reference kernel to the bit', () => {
  const matrixOf = (height: number, width: number, seed: number): Float32Array => {
    const rng = createRng(seed);
    return Float32Array.from({ length: height * width }, () => rng.normal() * 10 ** rng.int(6));
  };
  const sums = (k: Kernels, m: Float32Array, width: number, rows: number[]): Float64Array => {
    const out = new Float64Array(width + 3).fill(Number.NaN);
    k.sumRows(m, width, Int32Array.from(rows), out);
    return out;
  };

  // Widths with and without a tail past the last four columns; row counts around the four rows per pass.
  for (const width of [1, 7, 64, 130])
    it(`width ${width}: rows in any order, repeated, none to nine`, () => {
      const m = matrixOf(12, width, width);
      const rng = createRng(width + 1);
      for (let count = 0; count <= 9; count++) {
        const rows = Array.from({ length: count }, () => rng.int(12));
        assert.deepEqual(sums(wasm, m, width, rows), sums(referenceKernels, m, width, rows), `rows ${rows}`);
      }
    });

  it('keeps the matrix resident between calls, and drops it for another matrix or a top-N', () => {
    const kernels = loadKernels('wasm');
    const a = matrixOf(20, 33, 1);
    const b = matrixOf(20, 33, 2);
    const rows = [3, 19, 0, 3, 7];
    const want = (m: Float32Array) => sums(referenceKernels, m, 33, rows);
    assert.deepEqual(sums(kernels, a, 33, rows), want(a));
    assert.deepEqual(sums(kernels, b, 33, rows), want(b));
    const ts = syntheticTrainset(30, 40, 4);
    const model = modelOf(ts, initialState(ts, 8, true, 1));
    const top = () => kernels.topN(model, Int32Array.of(0, 1, 2), exclusionsOf(ts), 5, itemIdRank(ts.itemIds));
    const before = top();
    assert.deepEqual(sums(kernels, b, 33, rows), want(b));
    assert.deepEqual(top(), before);
    assert.deepEqual(sums(kernels, b, 33, rows), want(b));
  });

  it('rejects rows outside the matrix and a width that does not divide it', () => {
    const m = matrixOf(4, 5, 3);
    assert.throws(() => wasm.sumRows(m, 5, Int32Array.of(4), new Float64Array(5)), { code: 'INVALID_ARGUMENT', message: /row 4/ });
    assert.throws(() => wasm.sumRows(m, 6, Int32Array.of(0), new Float64Array(6)), { code: 'INVALID_ARGUMENT', message: /rows of 6/ });
  });
});

describe("wasm Gram matrix and SPD inverse (EASE's fit) agree with the reference kernels", () => {
  /** MᵀM/n + I from a random n × n M: symmetric positive definite, moderately conditioned. */
  const spd = (n: number, seed: number): Float64Array => {
    const rng = createRng(seed);
    const M = Float64Array.from({ length: n * n }, () => rng.normal());
    const A = new Float64Array(n * n);
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++) {
        let s = r === c ? 1 : 0;
        for (let k = 0; k < n; k++) s += (M[k * n + r] * M[k * n + c]) / n;
        A[r * n + c] = s;
      }
    return A;
  };

  it('counts the same co-rated pairs, over the covered items only', () => {
    const ts = syntheticTrainset(60, 90, 11);
    const n = 70;
    // Every other item left out, the rest placed in a shuffled order.
    const rng = createRng(12);
    const pos = new Int32Array(ts.nItems).fill(-1);
    const order = Int32Array.from({ length: ts.nItems }, (_, i) => i).sort(() => rng.next() - 0.5);
    let next = 0;
    for (const i of order) if (i % 2 === 0 && next < n) pos[i] = next++;
    const want = referenceKernels.gram(exclusionsOf(ts), pos, n);
    assert.deepEqual(wasm.gram(exclusionsOf(ts), pos, n), want);
    assert.ok(
      want.some((v, x) => v > 0 && Math.floor(x / n) !== x % n),
      'some off-diagonal pair counted',
    );
    assert.throws(() => wasm.gram(exclusionsOf(ts), pos, 10), { code: 'INVALID_ARGUMENT', message: /outside a 10 × 10 Gram matrix/ });
  });

  // Sizes below, at and across the 32-pivot blocks, odd (a row tail past the last pair of columns) and even.
  for (const n of [1, 5, 32, 33, 70, 101])
    it(`inverts a ${n} × ${n} SPD matrix as the reference does, to 1e-12 relative`, () => {
      const A = spd(n, n);
      const got = A.slice();
      const want = A.slice();
      assert.equal(wasm.invertSpd(got, n), -1);
      assert.equal(referenceKernels.invertSpd(want, n), -1);
      const scale = Math.max(...want.map(Math.abs));
      for (let x = 0; x < n * n; x++) assert.ok(Math.abs(got[x] - want[x]) <= 1e-12 * scale, `entry ${x}: ${got[x]} vs ${want[x]}`);
      for (let r = 0; r < n; r++)
        for (let c = 0; c < n; c++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += A[r * n + k] * got[k * n + c];
          assert.ok(Math.abs(s - (r === c ? 1 : 0)) < 1e-10, `(A·A⁻¹)[${r}][${c}] = ${s}`);
        }
    });

  it('names the first pivot that is not positive, in either kernels', () => {
    const n = 40;
    const A = spd(n, 3);
    // Row and column 35 a copy of 34's, less 1 on the diagonal: pivot 35's Schur complement is −1, after a full block has been swept.
    for (let k = 0; k < n; k++) {
      A[35 * n + k] = A[34 * n + k];
      A[k * n + 35] = A[k * n + 34];
    }
    A[35 * n + 35] -= 1;
    for (const k of [wasm, referenceKernels]) {
      const at = k.invertSpd(A.slice(), n);
      assert.ok(at === 35, `${k.name}: pivot ${at}`);
    }
    assert.equal(wasm.invertSpd(Float64Array.of(1, 2, 2, -1), 2), 1);
    assert.throws(() => wasm.invertSpd(new Float64Array(5), 2), { code: 'INVALID_ARGUMENT', message: /matrix has 5 entries, expected 4/ });
  });
});

describe("wasm BPR epoch agrees with the reference kernel (the dot product's rounding aside)", () => {
  const setup = (k: number, seed: number) => {
    const ts = syntheticTrainset(50, 80, seed);
    const rng = createRng(seed);
    const state = {
      nFactors: k,
      userFactors: Float32Array.from({ length: ts.nUsers * k }, () => 0.1 * rng.normal()),
      itemFactors: Float32Array.from({ length: ts.nItems * k }, () => 0.1 * rng.normal()),
      itemBias: Float32Array.from({ length: ts.nItems }, () => 0.1 * rng.normal()),
    };
    // Triples with repeated users and items, so later updates read earlier ones' results.
    const count = 3000;
    const draws = {
      count,
      users: Int32Array.from({ length: count + 5 }, () => rng.int(ts.nUsers)),
      pos: Int32Array.from({ length: count + 5 }, () => rng.int(ts.nItems)),
      neg: Int32Array.from({ length: count + 5 }, () => rng.int(ts.nItems)),
    };
    draws.neg.forEach((j, x) => (draws.neg[x] = j === draws.pos[x] ? (j + 1) % ts.nItems : j));
    return { state, draws };
  };
  const copy = (s: ReturnType<typeof setup>['state']) => ({
    ...s,
    userFactors: s.userFactors.slice(),
    itemFactors: s.itemFactors.slice(),
    itemBias: s.itemBias.slice(),
  });
  const rates = { lr: 0.05, regPu: 0.01, regQi: 0.02, regBi: 0.03 };

  // An odd k has a factor past the last pair of lanes.
  for (const k of [1, 7, 64])
    it(`k = ${k}: the same parameters and loss over three epochs, to 1e-5`, () => {
      const { state, draws } = setup(k, k);
      const want = copy(state);
      const got = copy(state);
      for (let epoch = 0; epoch < 3; epoch++) {
        const lossWant = referenceKernels.bprEpoch(want, draws, rates);
        const lossGot = wasm.bprEpoch(got, draws, rates);
        assert.ok(Math.abs(lossGot - lossWant) <= 1e-6 * lossWant, `epoch ${epoch}: loss ${lossGot} vs ${lossWant}`);
      }
      for (const name of ['userFactors', 'itemFactors', 'itemBias'] as const) {
        let moved = 0;
        for (let x = 0; x < want[name].length; x++) {
          assert.ok(Math.abs(got[name][x] - want[name][x]) <= 1e-5, `${name}[${x}]: ${got[name][x]} vs ${want[name][x]}`);
          moved = Math.max(moved, Math.abs(want[name][x] - state[name][x]));
        }
        assert.ok(moved > 1e-3, `${name} changed`);
      }
    });

  it('refuses a draw outside the factors, naming it', () => {
    const { state, draws } = setup(4, 2);
    draws.neg[17] = 80;
    assert.throws(() => wasm.bprEpoch(state, draws, rates), { code: 'INVALID_ARGUMENT', message: /neg\[17\] = 80 is outside 0…79/ });
  });
});

describe("wasm WRMF half-epoch gives the reference kernel's factors to the bit", () => {
  const setup = (k: number, seed: number) => {
    const ts = syntheticTrainset(40, 70, seed);
    const rng = createRng(seed);
    const H = Float32Array.from({ length: ts.nItems * k }, () => 0.3 * rng.normal());
    const HtH = new Float64Array(k * k);
    for (let r = 0; r < ts.nItems; r++)
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) HtH[a * k + b] += H[r * k + a] * H[r * k + b];
    const side = { nRows: ts.nUsers, ptr: ts.userPtr, idx: ts.itemIdx, ratings: ts.ratings };
    return { side, H, HtH, F: Float32Array.from({ length: ts.nUsers * k }, () => rng.normal()) };
  };

  // Odd and even k: the rank-one updates go two columns at a time, with a last single one on even rows.
  for (const k of [1, 6, 9, 32])
    it(`k = ${k}`, () => {
      const { side, H, HtH, F } = setup(k, k + 3);
      const want = F.slice();
      const got = F.slice();
      assert.equal(referenceKernels.wrmfSide(side, want, H, HtH, k, 0.5, 0.7), -1);
      assert.equal(wasm.wrmfSide(side, got, H, HtH, k, 0.5, 0.7), -1);
      assert.deepEqual(got, want);
      assert.notDeepEqual(got, F);
    });

  it('names the first row whose system is singular, and refuses entries outside the other side', () => {
    const k = 4;
    const { side, H, HtH, F } = setup(k, 5);
    // No ridge and no confidence: a row's system is HᵀH alone, made singular by zeroing it.
    const zero = new Float64Array(k * k);
    for (const kernels of [wasm, referenceKernels]) assert.equal(kernels.wrmfSide(side, F.slice(), H, zero, k, 0, 0), 0, kernels.name);
    const bad = { ...side, idx: side.idx.map((i, p) => (p === 3 ? 70 : i)) };
    assert.throws(() => wasm.wrmfSide(bad, F.slice(), H, HtH, k, 0.5, 0.7), {
      code: 'INVALID_ARGUMENT',
      message: /entry 3 names row 70 of the other side's 70/,
    });
  });
});

describe("wasm BPMF half-sweep gives the reference kernel's draws to the bit", () => {
  const setup = (k: number, seed: number) => {
    const ts = syntheticTrainset(40, 60, seed);
    const rng = createRng(seed);
    const d = k + 1;
    const G = Float64Array.from({ length: ts.nItems * d }, () => 0.3 * rng.normal());
    const M = Float64Array.from({ length: d * d }, () => rng.normal());
    const precision = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) for (let c = 0; c < d; c++) precision[a * d + b] += (M[a * d + c] * M[b * d + c]) / d;
    for (let a = 0; a < d; a++) precision[a * d + a] += 1;
    const side = { nRows: ts.nUsers, ptr: ts.userPtr, idx: ts.itemIdx, ratings: ts.ratings };
    const priorH = Float64Array.from({ length: d }, () => rng.normal());
    const normals = Float64Array.from({ length: ts.nUsers * d }, () => rng.normal());
    return { side, G, precision, priorH, normals, F: new Float64Array(ts.nUsers * d), mu: ts.globalMean };
  };

  // d = k + 1 odd and even: the rank-one updates go two columns at a time.
  for (const k of [1, 4, 5, 10])
    it(`k = ${k}`, () => {
      const { side, G, precision, priorH, normals, F, mu } = setup(k, k + 11);
      const want = F.slice();
      const got = F.slice();
      assert.equal(referenceKernels.bpmfRows(side, want, G, k, mu, 1.7, precision, priorH, normals), -1);
      assert.equal(wasm.bpmfRows(side, got, G, k, mu, 1.7, precision, priorH, normals), -1);
      assert.deepEqual(got, want);
      assert.ok(want.every(Number.isFinite) && want.some((v) => v !== 0));
    });

  it('names the first row whose posterior precision is not positive definite', () => {
    const k = 3;
    const { side, G, priorH, normals, F, mu } = setup(k, 2);
    const indefinite = new Float64Array(16).fill(0);
    indefinite[0] = -1;
    for (const kernels of [wasm, referenceKernels])
      assert.equal(kernels.bpmfRows(side, F.slice(), G, k, mu, 0, indefinite, priorH, normals), 0, kernels.name);
  });
});

const exhaustive = createWasmKernels(wasmModule(), { pruneTopN: false });
const pruned = createWasmKernels(wasmModule());

/** Asserts the pruned top-N equals scoring every item; returns the share of estimates the pruned call computed. */
function assertPrunedSame(model: FactorModel, users: Int32Array, exclude: Exclusions, n: number, itemRank: Int32Array): number {
  const all = exhaustive.topN(model, users, exclude, n, itemRank);
  const some = pruned.topN(model, users, exclude, n, itemRank);
  const pairs = users.length * Math.ceil(model.itemIds.length / 16) * 16;
  assert.equal(all.computed, pairs);
  assert.deepEqual(some.items, all.items);
  assert.deepEqual(some.scores, all.scores);
  return (some.computed ?? pairs) / pairs;
}

describe('wasm top-N pruned by the score bound gives the lists of scoring every item', () => {
  const ts = syntheticTrainset(400, 900, 5);
  const rank = itemIdRank(ts.itemIds);
  const allUsers = Int32Array.from({ length: ts.nUsers }, (_, u) => u);

  const assertSame = (model: FactorModel, users: Int32Array, exclude: Exclusions, n: number, itemRank = rank): number =>
    assertPrunedSame(model, users, exclude, n, itemRank);

  it('k = 100 over several chunks of panels, every user, with exclusions: pruned and identical', { timeout: 60_000 }, () => {
    const s = initialState(ts, 100, true, 21);
    const rng = createRng(22);
    s.itemBias.forEach((_, i) => (s.itemBias[i] = 0.5 * rng.normal()));
    s.userBias.forEach((_, u) => (s.userBias[u] = 0.3 * rng.normal()));
    const model = modelOf(ts, s);
    const scored = assertSame(model, allUsers, exclusionsOf(ts), 10);
    assert.ok(scored < 0.7, `scored ${scored} of the estimates`);
    // A subset in another order, n larger than some users' candidates, unbiased.
    const users = Int32Array.from({ length: 97 }, (_, x) => (x * 131) % ts.nUsers);
    assertSame(model, users, exclusionsOf(ts), 40);
    assertSame({ ...modelOf(ts, initialState(ts, 100, false, 23)) }, users, exclusionsOf(ts), 10);
  });

  it('adversarial: bounds equal to the scores (items parallel to the user) and ties at the n-th place', { timeout: 60_000 }, () => {
    const k = 8;
    const s = initialState(ts, k, true, 31);
    const rng = createRng(32);
    s.itemBias.forEach((_, i) => (s.itemBias[i] = -3 + 0.01 * rng.normal()));
    // User 0's vector; items 0…299 are multiples of it, so Cauchy–Schwarz holds with equality for her,
    // and groups of 30 items share one multiple and one bias: equal estimates straddling every cut.
    const p0 = s.userFactors.subarray(0, k);
    for (let i = 0; i < 300; i++) {
      const c = 1 + Math.floor(i / 30) * 0.25;
      for (let f = 0; f < k; f++) s.itemFactors[i * k + f] = c * p0[f];
      s.itemBias[i] = 0.5 - Math.floor(i / 30) * 0.125;
    }
    const model = modelOf(ts, s);
    const none: Exclusions = { userPtr: new Int32Array(ts.nUsers + 1), itemIdx: new Int32Array(0) };
    for (const n of [1, 10, 29, 30, 31, 45]) {
      assertSame(model, allUsers, none, n);
      assertSame(model, allUsers, exclusionsOf(ts), n);
    }
    const shuffled = Int32Array.from({ length: ts.nItems }, (_, i) => (i * 37) % ts.nItems);
    const scored = assertSame(model, Int32Array.of(0), none, 30, shuffled);
    assert.ok(scored < 0.6, `scored ${scored}: items far below the n-th best are skipped`);
  });

  it('adversarial: scores rounded near the bound, tie winners in a later panel', { timeout: 60_000 }, () => {
    // Users 0…27 each get 32 items equal to their own vector with a large bias: the computed estimates
    // of a group are one f32 value that rounding may put above b_i + ‖q_i‖‖p_u‖; the group fills two
    // panels and ranks its second panel first, so skipping that panel on the unwidened bound loses ties.
    const k = 100;
    const s = initialState(ts, k, true, 41);
    s.itemBias.fill(-4);
    const rankDesc = Int32Array.from({ length: ts.nItems }, (_, i) => ts.nItems - 1 - i);
    for (let u = 0; u < 28; u++) {
      for (let j = 0; j < 32; j++) {
        const i = u * 32 + j;
        s.itemFactors.set(s.userFactors.subarray(u * k, (u + 1) * k), i * k);
        s.itemBias[i] = 3.7 + u * 1e-3;
      }
    }
    const none: Exclusions = { userPtr: new Int32Array(ts.nUsers + 1), itemIdx: new Int32Array(0) };
    const users = Int32Array.from({ length: 28 }, (_, u) => u);
    for (const n of [1, 10, 16]) assertSame(modelOf(ts, s), users, none, n, rankDesc);
  });
});

describe('wasm top-N pruned by the head bound (principal directions of the users) gives the lists of scoring every item', () => {
  const ts = syntheticTrainset(300, 1200, 6);
  const rank = itemIdRank(ts.itemIds);
  const allUsers = Int32Array.from({ length: ts.nUsers }, (_, u) => u);
  const none: Exclusions = { userPtr: new Int32Array(ts.nUsers + 1), itemIdx: new Int32Array(0) };

  /** A BPMF-shaped model: S samples of d factors each, a shared mean plus `noise` per sample, scaled by 1/√S. */
  function samplesModel(S: number, d: number, noise: number, seed: number): { model: FactorModel; s: SvdState } {
    const k = S * d;
    const s = initialState(ts, k, true, seed);
    const rng = createRng(seed + 1);
    for (const [rows, factors] of [
      [ts.nUsers, s.userFactors],
      [ts.nItems, s.itemFactors],
    ] as const) {
      for (let r = 0; r < rows; r++) {
        const mean = Array.from({ length: d }, () => 0.5 * rng.normal());
        for (let x = 0; x < k; x++) factors[r * k + x] = (mean[x % d] + noise * rng.normal()) / Math.sqrt(S);
      }
    }
    s.itemBias.forEach((_, i) => (s.itemBias[i] = 0.3 * rng.normal()));
    s.userBias.forEach((_, u) => (s.userBias[u] = 0.3 * rng.normal()));
    return { model: modelOf(ts, s), s };
  }

  const assertSame = (model: FactorModel, users: Int32Array, exclude: Exclusions, n: number, itemRank = rank): number =>
    assertPrunedSame(model, users, exclude, n, itemRank);

  it('40 samples of 5 factors, every user, with exclusions: most panels skipped, lists identical', { timeout: 60_000 }, () => {
    const { model } = samplesModel(40, 5, 0.1, 51);
    const scored = assertSame(model, allUsers, exclusionsOf(ts), 10);
    // The norm bound alone scores 40% here (checked by disabling the heads): the head bound is what skips.
    assert.ok(scored < 0.2, `scored ${scored} of the estimates`);
    for (const n of [1, 40]) assertSame(model, allUsers.subarray(0, 50), exclusionsOf(ts), n);
  });

  it('adversarial: identical samples (no tail, the bound equals the score) and ties at every cut', { timeout: 60_000 }, () => {
    const S = 20;
    const d = 7;
    const { s } = samplesModel(S, d, 0, 61);
    const k = S * d;
    // Items in groups of 24 share one vector (the user 0's times a factor) and one bias: equal estimates
    // straddling cuts, computed by the head bound to within rounding of the n-th best.
    for (let i = 0; i < 480; i++) {
      const c = 1 + Math.floor(i / 24) * 0.1;
      for (let x = 0; x < k; x++) s.itemFactors[i * k + x] = c * s.userFactors[x];
      s.itemBias[i] = 2 - Math.floor(i / 24) * 0.05;
    }
    const model = modelOf(ts, s);
    const rankDesc = Int32Array.from({ length: ts.nItems }, (_, i) => ts.nItems - 1 - i);
    for (const n of [1, 10, 24, 25, 50]) {
      assertSame(model, allUsers, none, n);
      assertSame(model, allUsers, exclusionsOf(ts), n, rankDesc);
    }
  });

  it('factors with no leading directions (random, k = 160) and too few factors for heads (k = 40)', { timeout: 60_000 }, () => {
    for (const k of [160, 40]) assertSame(modelOf(ts, initialState(ts, k, true, 71)), allUsers, exclusionsOf(ts), 10);
  });

  it('fewer users than head directions: the basis is completed with unit vectors', { timeout: 60_000 }, () => {
    const { model } = samplesModel(40, 5, 0.1, 81);
    assertSame(model, Int32Array.of(3, 1, 2), exclusionsOf(ts), 10);
    const few = {
      ...model,
      userIds: model.userIds.slice(0, 3),
      userFactors: model.userFactors.slice(0, 3 * 200),
      userBias: model.userBias.slice(0, 3),
    };
    assertSame(few, Int32Array.of(2, 0, 1), exclusionsOf(ts), 10);
  });
});

describe('loadKernels', () => {
  it('gives the reference for typescript, wasm for auto when built, and names unknown preferences', () => {
    assert.equal(loadKernels('typescript'), referenceKernels);
    assert.equal(loadKernels('auto').name, 'wasm');
    assert.throws(() => loadKernels('simd' as 'wasm'), {
      code: 'INVALID_ARGUMENT',
      message: /unknown kernel preference 'simd'; known: wasm, typescript, auto/,
    });
  });

  it('falls back to the reference with the reason when the module is missing or broken, unless wasm is required', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recpipe-'));
    try {
      const missing = join(dir, 'kernels.wasm');
      const reasons: string[] = [];
      assert.equal(
        loadKernels('auto', (r) => reasons.push(r), missing),
        referenceKernels,
      );
      assert.match(reasons[0], /using the TypeScript reference kernels: .*kernels\.wasm is missing \(run npm run build:wasm\)/);
      assert.throws(() => loadKernels('wasm', undefined, missing), { code: 'FAILED_PRECONDITION', message: /is missing/ });
      const broken = join(dir, 'broken.wasm');
      writeFileSync(broken, 'not wasm');
      assert.equal(
        loadKernels('auto', (r) => reasons.push(r), broken),
        referenceKernels,
      );
      assert.match(reasons[1], /broken\.wasm cannot be compiled here/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses reentrant use of one instance from a training callback', () => {
    const ts = syntheticTrainset(5, 5, 4);
    const kernels = loadKernels('wasm');
    const model = modelOf(ts, initialState(ts, 2, true, 1));
    const s = initialState(ts, 2, true, 1);
    assert.throws(
      () => kernels.svdSgd(ts, s, rates, 1, () => kernels.topN(model, Int32Array.of(0), exclusionsOf(ts), 1, itemIdRank(ts.itemIds))),
      {
        code: 'FAILED_PRECONDITION',
      },
    );
  });
});

/** Items rated by users with a chance that falls with a random rank, not with their id: a long tail out of id order. */
const appeal = (() => {
  const rng = createRng(12);
  return Array.from({ length: 90 }, () => rng.next() ** 3);
})();
const longTail = syntheticTrainset(70, 90, 3, (i) => appeal[i]);

describe('item rows most rated first (popularFirstRows)', () => {
  it('orders items by rating count descending, ties by id, as a permutation', () => {
    const counts = new Int32Array(longTail.nItems);
    for (let x = 0; x < longTail.nRatings; x++) counts[longTail.itemIdx[x]]++;
    const rows = popularFirstRows(longTail.itemIdx, longTail.nRatings, longTail.nItems);
    const byRow = new Int32Array(longTail.nItems).fill(-1);
    rows.forEach((r, i) => (byRow[r] = i));
    assert.ok(
      byRow.every((i) => i >= 0),
      'every row holds one item',
    );
    for (let r = 1; r < longTail.nItems; r++) {
      const [a, b] = [byRow[r - 1], byRow[r]];
      assert.ok(
        counts[a] > counts[b] || (counts[a] === counts[b] && a < b),
        `rows ${r - 1}, ${r}: items ${a} (${counts[a]}), ${b} (${counts[b]})`,
      );
    }
    assert.ok(
      rows.some((r, i) => r !== i),
      'the data is not already in popularity order',
    );
  });
});

describe('wasm SVD fit with item rows most rated first is the fit in the caller order, bit for bit', () => {
  const module = wasmModule();
  const popular = createWasmKernels(module);
  const plain = createWasmKernels(module, { popularFirst: false });
  const rng = createRng(11);
  const size = 300;
  const heldOut = {
    size,
    users: Int32Array.from({ length: size }, (_, x) => (x % 11 === 0 ? -1 : rng.int(longTail.nUsers))),
    items: Int32Array.from({ length: size }, (_, x) => (x % 13 === 0 ? -1 : rng.int(longTail.nItems))),
    ratings: Float32Array.from({ length: size }, () => 1 + rng.int(9) / 2),
  };
  for (const [k, biased] of [
    [100, true],
    [7, true],
    [8, false],
    [0, true],
  ] as const) {
    it(`k = ${k}, ${biased ? 'biased' : 'unbiased'}: factors, biases, training and held-out curves, and the mid-fit syncs`, () => {
      const run = (kernels: typeof plain) => {
        const s = initialState(longTail, k, biased, 5);
        const curves: number[][] = [];
        const mids: Float32Array[] = [];
        kernels.svdSgd(
          longTail,
          s,
          rates,
          4,
          (_, rmse, sync, held) => {
            curves.push([rmse, held ?? Number.NaN]);
            sync();
            mids.push(Float32Array.of(...s.itemBias, ...s.itemFactors));
          },
          heldOut,
        );
        return { s, curves, mids };
      };
      const want = run(plain);
      const got = run(popular);
      assert.deepEqual(got.curves, want.curves);
      assert.deepEqual(got.mids, want.mids);
      assert.deepEqual(got.s, want.s);
      const start = initialState(longTail, k, biased, 5);
      assert.notDeepEqual(got.mids[3], Float32Array.of(...start.itemBias, ...start.itemFactors), 'training moved the parameters');
    });
  }
});
