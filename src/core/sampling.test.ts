import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from './random.js';
import { sampleGamma, sampleGaussianFromPrecision, sampleWishartFromInverse } from './sampling.js';

describe('Gibbs sampling draws', () => {
  it('draws Gamma(shape, 1) with mean and variance equal to the shape, also below shape 1', () => {
    const rng = createRng(3);
    for (const shape of [0.4, 1, 2.5, 40]) {
      const n = 40_000;
      const xs = Array.from({ length: n }, () => sampleGamma(shape, rng));
      const mean = xs.reduce((a, x) => a + x, 0) / n;
      const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / n;
      assert.ok(xs.every((x) => x > 0));
      assert.ok(Math.abs(mean - shape) < 0.03 * shape + 0.01, `shape ${shape}: mean ${mean}`);
      assert.ok(Math.abs(variance - shape) < 0.08 * shape + 0.02, `shape ${shape}: variance ${variance}`);
    }
  });

  it('draws Wishart(W, ν) with mean ν·W, given W⁻¹', () => {
    const n = 3;
    const W = [2, 0.5, 0, 0.5, 1, -0.3, 0, -0.3, 0.8];
    const wInv = invert3(W);
    const rng = createRng(5);
    const nu = 6;
    const sum = new Float64Array(n * n);
    const out = new Float64Array(n * n);
    const draws = 20_000;
    for (let d = 0; d < draws; d++) {
      assert.ok(sampleWishartFromInverse(Float64Array.from(wInv), nu, n, rng, out));
      for (let x = 0; x < n * n; x++) sum[x] += out[x] / draws;
    }
    for (let x = 0; x < n * n; x++) assert.ok(Math.abs(sum[x] - nu * W[x]) < 0.06 * nu, `entry ${x}: ${sum[x]} vs ${nu * W[x]}`);
    assert.equal(sampleWishartFromInverse(Float64Array.from([1, 2, 2, 1]), 3, 2, rng, new Float64Array(4)), false);
  });

  it('draws N(Λ⁻¹h, Λ⁻¹) from a precision Λ and h', () => {
    const P = [4, 1, 1, 2];
    const cov = invert2(P);
    const mean = [cov[0] * 1 + cov[1] * -2, cov[2] * 1 + cov[3] * -2];
    const rng = createRng(7);
    const n = 40_000;
    const xs: number[][] = [];
    for (let d = 0; d < n; d++) {
      const h = Float64Array.from([1, -2]);
      assert.ok(sampleGaussianFromPrecision(Float64Array.from(P), h, 2, rng, new Float64Array(2)));
      xs.push([...h]);
    }
    const m = [0, 1].map((a) => xs.reduce((s, x) => s + x[a], 0) / n);
    for (const a of [0, 1]) assert.ok(Math.abs(m[a] - mean[a]) < 0.01, `mean ${a}: ${m[a]} vs ${mean[a]}`);
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [1, 1],
    ]) {
      const c = xs.reduce((s, x) => s + (x[a] - m[a]) * (x[b] - m[b]), 0) / n;
      assert.ok(Math.abs(c - cov[a * 2 + b]) < 0.01, `cov ${a}${b}: ${c} vs ${cov[a * 2 + b]}`);
    }
  });
});

function invert2(m: number[]): number[] {
  const det = m[0] * m[3] - m[1] * m[2];
  return [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((x) => x / det);
}
