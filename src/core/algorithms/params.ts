import { invalid } from '../errors.js';

/** One hyperparameter: its type, bounds and the other names users may type for it. */
export interface ParamSpec {
  readonly type: 'int' | 'number' | 'boolean' | 'enum';
  readonly aliases?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  /** Accepted through the `*_all` group parameter of this name (Surprise's lr_all, reg_all). */
  readonly group?: string;
}

export type ParamSpecs<C> = { readonly [K in keyof C]: ParamSpec };

const camelToSnake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Builds a config from defaults and user input. Accepts camelCase and snake_case names, declared
 * aliases and group parameters (`lr_all` sets every learning rate not given explicitly), converts
 * numeric strings (from `--param k=v`), and names the algorithm and parameter in every error.
 */
export function parseParams<C extends object>(
  algorithm: string,
  defaults: C,
  specs: ParamSpecs<C>,
  groups: readonly string[],
  raw: Readonly<Record<string, unknown>>,
): C {
  const names = new Map<string, keyof C>();
  for (const key of Object.keys(specs) as (keyof C & string)[]) {
    names.set(key.toLowerCase(), key);
    names.set(camelToSnake(key), key);
    for (const a of specs[key].aliases ?? []) names.set(a.toLowerCase(), key);
  }
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  const explicit = new Set<keyof C>();
  const groupValues = new Map<string, unknown>();
  for (const [name, value] of Object.entries(raw)) {
    const lower = name.toLowerCase();
    const group = groups.find((g) => lower === g || lower === `${g}_all` || lower === `${g}all`);
    if (group !== undefined) {
      groupValues.set(group, value);
      continue;
    }
    const key = names.get(lower);
    if (key === undefined) {
      const known = [...Object.keys(specs).map((k) => camelToSnake(k)), ...groups.map((g) => `${g}_all`)];
      throw invalid(`unknown parameter '${name}' for algorithm ${algorithm}; known: ${known.join(', ')}`, { parameter: name });
    }
    out[key as string] = coerce(algorithm, String(key), specs[key], value);
    explicit.add(key);
  }
  for (const [group, value] of groupValues) {
    for (const key of Object.keys(specs) as (keyof C & string)[]) {
      if (specs[key].group === group && !explicit.has(key)) out[key] = coerce(algorithm, `${group}_all`, specs[key], value);
    }
  }
  return out as C;
}

function coerce(algorithm: string, name: string, spec: ParamSpec, value: unknown): unknown {
  const fail = (why: string): never => {
    throw invalid(`parameter ${camelToSnake(name)} of ${algorithm} ${why}, got ${JSON.stringify(value)}`, { parameter: name, value });
  };
  switch (spec.type) {
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const s = String(value).toLowerCase();
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      return fail('must be true or false');
    }
    case 'enum': {
      const s = String(value).toLowerCase();
      if (!spec.values?.includes(s)) fail(`must be one of ${spec.values?.join(', ')}`);
      return s;
    }
    default: {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) return fail('must be a number');
      if (spec.type === 'int' && !Number.isInteger(n)) fail('must be an integer');
      if (spec.min !== undefined && n < spec.min) fail(`must be ≥ ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) fail(`must be ≤ ${spec.max}`);
      return n;
    }
  }
}
