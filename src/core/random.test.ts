import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, shuffleInPlace } from './random.js';

describe('createRng', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(
      xs,
      Array.from({ length: 5 }, () => b.next()),
    );
    assert.notDeepEqual(
      xs,
      Array.from({ length: 5 }, () => c.next()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });
  it('draws standard normals with mean ≈ 0 and variance ≈ 1', () => {
    const rng = createRng(1);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      s += x;
      s2 += x * x;
    }
    assert.ok(Math.abs(s / n) < 0.02, `mean ${s / n}`);
    assert.ok(Math.abs(s2 / n - 1) < 0.02, `variance ${s2 / n}`);
  });
  it('draws normal tails: P(|x| > 1), P(|x| > 2), P(|x| > 3.5) as N(0, 1)', () => {
    const rng = createRng(2);
    const n = 400_000;
    const beyond = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const x = Math.abs(rng.normal());
      if (x > 1) beyond[0]++;
      if (x > 2) beyond[1]++;
      if (x > 3.5) beyond[2]++;
    }
    // Exact: 0.31731, 0.04550, 0.000465 — the last only reachable through the ziggurat's tail algorithm.
    assert.ok(Math.abs(beyond[0] / n - 0.31731) < 0.004, `P(|x|>1) ${beyond[0] / n}`);
    assert.ok(Math.abs(beyond[1] / n - 0.0455) < 0.0015, `P(|x|>2) ${beyond[1] / n}`);
    assert.ok(Math.abs(beyond[2] / n - 0.000465) < 0.00015, `P(|x|>3.5) ${beyond[2] / n}`);
  });
  it('fillNormal gives exactly the values of repeated normal() calls', () => {
    for (const [skip, len] of [
      [0, 7],
      [1, 6],
      [1, 5],
      [0, 0],
    ]) {
      const a = createRng(9);
      const b = createRng(9);
      for (let i = 0; i < skip; i++) a.normal(), b.normal();
      const filled = new Float64Array(len);
      a.fillNormal(filled, 0.5, 0.1);
      assert.deepEqual(
        [...filled],
        Array.from({ length: len }, () => 0.5 + 0.1 * b.normal()),
      );
      assert.equal(a.normal(), b.normal());
    }
  });
  it('shuffles in place to a permutation', () => {
    const a = Int32Array.from({ length: 50 }, (_, i) => i);
    shuffleInPlace(a, createRng(3));
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(
      [...a],
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});
