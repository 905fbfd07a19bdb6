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
  /** Fills `out` with N(mean, std²) draws: the same values as calling normal() for each. */
  fillNormal(out: Float32Array | Float64Array, mean: number, std: number): void;
}

/** SplitMix32 step: turns any 32-bit seed (even 0 or a tiny one) into a well-mixed state. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128** seeded through SplitMix32; normals by the ziggurat method (Marsaglia & Tsang 2000). */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const s0 = splitmix32(seed >>> 0);
  const s1 = splitmix32(s0);
  const s2 = splitmix32(s1);
  // The state lives in a typed array and the steps are module functions: four 32-bit values kept in
  // closure variables are boxed as heap numbers on every step (most exceed a small integer), and
  // closures made per Rng are optimised anew in every worker; a million normals per fit then cost
  // as much in allocation, collection and compilation as in arithmetic.
  const s = Int32Array.of(s0, s1, s2, splitmix32(s2 ^ Math.floor(seed / 2 ** 32)));
  return {
    next: () => nextU32(s) / 4294967296,
    normal: () => normal(s),
    int: (n) => Math.floor((nextU32(s) / 4294967296) * n),
    fillNormal(out, mean, std) {
      for (let x = 0; x < out.length; x++) out[x] = mean + std * normal(s);
    },
  };
}

/** One xoshiro128** step of the state `s`. */
function nextU32(s: Int32Array): number {
  const s1 = s[1];
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const s2 = s[2] ^ s[0];
  const s3 = s[3] ^ s1;
  s[0] ^= s3;
  s[1] = s1 ^ s2;
  s[2] = s2 ^ (s1 << 9);
  s[3] = rotl(s3, 11);
  return result;
}

/**
 * A signed 32-bit draw picks one of 128 equal-area layers (its low 7 bits) and a point in it;
 * ~99% land inside the layer's rectangle and need one multiply. Factor initialisation draws a
 * million normals per fit, where Box-Muller's log, sqrt, sin and cos cost twice as much.
 */
function normal(s: Int32Array): number {
  const hz = nextU32(s) | 0;
  const iz = hz & 127;
  return Math.abs(hz) < ZIG_K[iz] ? hz * ZIG_W[iz] : normalOutside(s, hz, iz);
}

/** The rare draws outside their layer's rectangle: the wedge, or the base layer's tail. */
function normalOutside(s: Int32Array, hz: number, iz: number): number {
  const next = (): number => nextU32(s) / 4294967296;
  for (;;) {
    const x = hz * ZIG_W[iz];
    if (iz === 0) {
      // The base layer's tail beyond R, sampled exactly (Marsaglia 1964).
      let a = 0;
      let b = 0;
      do {
        a = -Math.log(1 - next()) / ZIG_R;
        b = -Math.log(1 - next());
      } while (b + b < a * a);
      return hz > 0 ? ZIG_R + a : -ZIG_R - a;
    }
    if (ZIG_F[iz] + next() * (ZIG_F[iz - 1] - ZIG_F[iz]) < Math.exp(-0.5 * x * x)) return x;
    hz = nextU32(s) | 0;
    iz = hz & 127;
    if (Math.abs(hz) < ZIG_K[iz]) return hz * ZIG_W[iz];
  }
}

/** Ziggurat tables for 128 layers: R is the base layer's edge, V each layer's area. */
const ZIG_R = 3.442619855899;
const ZIG_K = new Float64Array(128);
const ZIG_W = new Float64Array(128);
const ZIG_F = new Float64Array(128);
{
  const m = 2 ** 31;
  const v = 9.91256303526217e-3;
  let d = ZIG_R;
  let t = d;
  const q = v / Math.exp(-0.5 * d * d);
  ZIG_K[0] = Math.floor((d / q) * m);
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m;
  ZIG_W[127] = d / m;
  ZIG_F[0] = 1;
  ZIG_F[127] = Math.exp(-0.5 * d * d);
  for (let i = 126; i >= 1; i--) {
    d = Math.sqrt(-2 * Math.log(v / d + Math.exp(-0.5 * d * d)));
    ZIG_K[i + 1] = Math.floor((d / t) * m);
    t = d;
    ZIG_F[i] = Math.exp(-0.5 * d * d);
    ZIG_W[i] = d / m;
  }
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
