/**
 * Seeded randomness. Core code never touches Math.random: callers pass a Rng so every run is
 * reproducible from its seed.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Fills `out` with N(mean, std²) draws: the same values as calling normal() for each, faster. */
  fillNormal(out: Float32Array | Float64Array, mean: number, std: number): void;
}

/** SplitMix32 step: turns any 32-bit seed (even 0 or a tiny one) into a well-mixed state. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128** seeded through SplitMix32; Box-Muller (both variates used) for normals. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  let s0 = splitmix32(seed >>> 0);
  let s1 = splitmix32(s0);
  let s2 = splitmix32(s1);
  let s3 = splitmix32(s2 ^ Math.floor(seed / 2 ** 32));
  let spare = Number.NaN;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const next = (): number => nextU32() / 4294967296;

  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = Number.NaN;
      return v;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };

  return {
    next,
    normal,
    int: (n) => Math.floor(next() * n),
    fillNormal(out, mean, std) {
      let x = 0;
      if (!Number.isNaN(spare) && out.length > 0) out[x++] = mean + std * normal();
      // Box-Muller pairs written straight into the array: the hot path of factor initialisation.
      for (; x + 1 < out.length; x += 2) {
        let u = 0;
        while (u === 0) u = nextU32() / 4294967296;
        const v = nextU32() / 4294967296;
        const r = Math.sqrt(-2 * Math.log(u));
        out[x] = mean + std * (r * Math.cos(2 * Math.PI * v));
        out[x + 1] = mean + std * (r * Math.sin(2 * Math.PI * v));
      }
      if (x < out.length) out[x] = mean + std * normal();
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fisher-Yates shuffle of a typed or plain array in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}
