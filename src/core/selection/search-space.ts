import { invalid } from '../errors.js';
import type { Rng } from '../random.js';

export type ParamValue = number | string | boolean;

/**
 * One searched hyperparameter. `choice` is Surprise's list of values; the others stand for the scipy
 * distributions Surprise's RandomizedSearchCV takes, written with explicit bounds (both inclusive).
 */
export type Dimension =
  | { readonly kind: 'choice'; readonly values: readonly ParamValue[] }
  | { readonly kind: 'uniform' | 'loguniform' | 'int' | 'logint'; readonly low: number; readonly high: number; readonly centre?: number };

/**
 * A search space by parameter path. Surprise nests the baseline's options (`bsl_options: {reg: […]}`);
 * such a parameter is addressed as `bsl_options.reg` here and nested again in the candidate.
 */
export type SearchSpace = ReadonlyMap<string, Dimension>;

/** A candidate's parameters by path, before nesting. */
export type Assignment = Readonly<Record<string, ParamValue>>;

const DISTRIBUTIONS = ['choice', 'uniform', 'loguniform', 'int', 'logint'] as const;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{"loguniform": [lo, hi]}`, optionally with `"centre": x`, a known-good value inside the range. */
const isDistribution = (v: Record<string, unknown>): boolean => {
  const keys = Object.keys(v).filter((k) => k !== 'centre');
  return keys.length === 1 && (DISTRIBUTIONS as readonly string[]).includes(keys[0]);
};

/**
 * Reads a JSON space: a list is a choice among its values (Surprise's grid), `{"uniform": [lo, hi]}`,
 * `{"loguniform": …}`, `{"int": …}`, `{"logint": …}` a distribution (with `"centre": x`, a known-good
 * value the TPE search starts from and centres its prior on), a scalar a fixed value and an
 * object of those a nested option group (`bsl_options`). `what` names the space in errors.
 */
export function parseSpace(raw: unknown, what: string): SearchSpace {
  if (!isPlainObject(raw)) throw invalid(`${what} must be an object of parameter: values, got ${JSON.stringify(raw)}`);
  const out = new Map<string, Dimension>();
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [name, v] of Object.entries(obj)) {
      const path = prefix + name;
      if (isPlainObject(v) && !isDistribution(v)) {
        if (depth > 0) throw invalid(`${what}: option groups nest one level only, got ${path}`);
        walk(v, `${path}.`, depth + 1);
      } else out.set(path, dimension(v, `${what}.${path}`));
    }
  };
  walk(raw, '', 0);
  if (out.size === 0) throw invalid(`${what} has no parameters`);
  return out;
}

function dimension(v: unknown, where: string): Dimension {
  if (Array.isArray(v)) {
    if (v.length === 0) throw invalid(`${where} lists no values`);
    for (const x of v) if (!isValue(x)) throw invalid(`${where}: values must be numbers, strings or booleans, got ${JSON.stringify(x)}`);
    return { kind: 'choice', values: v as ParamValue[] };
  }
  if (isValue(v)) return { kind: 'choice', values: [v] };
  const obj = v as Record<string, unknown>;
  const kind = Object.keys(obj).find((k) => k !== 'centre') as (typeof DISTRIBUTIONS)[number];
  const arg = obj[kind];
  if (kind === 'choice') {
    if (obj.centre !== undefined) throw invalid(`${where}: a centre is for ranges; a choice lists its values`);
    return dimension(arg, where);
  }
  if (!Array.isArray(arg) || arg.length !== 2 || !arg.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw invalid(`${where}: ${kind} takes [low, high], got ${JSON.stringify(arg)}`);
  const [low, high] = arg as [number, number];
  if (low > high) throw invalid(`${where}: ${kind} low ${low} is above high ${high}`);
  if ((kind === 'loguniform' || kind === 'logint') && low <= 0) throw invalid(`${where}: ${kind} needs low > 0, got ${low}`);
  if ((kind === 'int' || kind === 'logint') && !(Number.isInteger(low) && Number.isInteger(high)))
    throw invalid(`${where}: ${kind} bounds must be integers, got ${JSON.stringify(arg)}`);
  if (obj.centre === undefined) return { kind, low, high };
  const centre = obj.centre;
  if (typeof centre !== 'number' || !(centre >= low && centre <= high))
    throw invalid(`${where}: centre must be a number within [${low}, ${high}], got ${JSON.stringify(centre)}`);
  return { kind, low, high, centre };
}

const isValue = (x: unknown): x is ParamValue =>
  typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));

export const isGrid = (space: SearchSpace): boolean => [...space.values()].every((d) => d.kind === 'choice');

/**
 * Every combination of a grid, in Surprise's order (itertools.product over the parameters as given:
 * the last parameter varies fastest).
 */
export function expandGrid(space: SearchSpace): Assignment[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const [path, d] of space) {
    if (d.kind !== 'choice') throw invalid(`a grid lists values; ${path} is a ${d.kind} distribution (use a randomized or tpe search)`);
    combos = combos.flatMap((c) => d.values.map((v) => ({ ...c, [path]: v })));
  }
  return combos;
}

/** One draw from the prior of a dimension. */
export function sampleDimension(d: Dimension, rng: Rng): ParamValue {
  switch (d.kind) {
    case 'choice':
      return d.values[rng.int(d.values.length)];
    case 'uniform':
      return d.low + rng.next() * (d.high - d.low);
    case 'loguniform':
      return Math.exp(Math.log(d.low) + rng.next() * (Math.log(d.high) - Math.log(d.low)));
    case 'int':
      return d.low + rng.int(d.high - d.low + 1);
    case 'logint':
      return Math.min(d.high, Math.floor(Math.exp(Math.log(d.low) + rng.next() * (Math.log(d.high + 1) - Math.log(d.low)))));
  }
}

/** The space's known-good point: each range's centre where it has one, a draw elsewhere. */
export function centreOf(space: SearchSpace, rng: Rng): Assignment {
  const out: Record<string, ParamValue> = {};
  for (const [path, d] of space) out[path] = d.kind !== 'choice' && d.centre !== undefined ? d.centre : sampleDimension(d, rng);
  return out;
}

export const hasCentre = (space: SearchSpace): boolean => [...space.values()].some((d) => d.kind !== 'choice' && d.centre !== undefined);

export function sampleSpace(space: SearchSpace, rng: Rng): Assignment {
  const out: Record<string, ParamValue> = {};
  for (const [path, d] of space) out[path] = sampleDimension(d, rng);
  return out;
}

/** Paths back into Surprise's shape: `bsl_options.reg` → `{bsl_options: {reg}}`. */
export function nestParams(a: Assignment): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(a)) {
    const dot = path.indexOf('.');
    if (dot < 0) out[path] = v;
    else {
      const group = path.slice(0, dot);
      out[group] = { ...(out[group] as Record<string, unknown> | undefined), [path.slice(dot + 1)]: v };
    }
  }
  return out;
}

/** A space back to its JSON form (for reports). */
export function spaceToJson(space: SearchSpace): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, d] of space)
    out[path] = d.kind === 'choice' ? d.values : { [d.kind]: [d.low, d.high], ...(d.centre === undefined ? {} : { centre: d.centre }) };
  return out;
}
