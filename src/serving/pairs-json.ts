import { invalid } from '../core/index.js';
import type { Pairs } from './pairs-csv.js';

export const JSON_SHAPE = '{"instances": [[user, item], …]} (or a bare array); an instance may also be {"user": …, "item": …}';

/**
 * Parses a JSON invocation. The body is `{"instances": [...]}` (TensorFlow Serving's and
 * SageMaker's convention) or the bare array; each instance is `[user, item]` or
 * `{"user": u, "item": i}`, ids being strings or numbers.
 */
export function parsePairsJson(text: string): Pairs {
  return pairsOfJson(parseJsonBody(text));
}

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid(`the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** The pairs of an already parsed JSON invocation (see parsePairsJson). */
export function pairsOfJson(doc: unknown): Pairs {
  const instances = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.instances) ? doc.instances : null;
  if (instances === null) throw invalid(`expected ${JSON_SHAPE}, got ${preview(doc)}`);
  const users: (string | number)[] = new Array(instances.length);
  const items: (string | number)[] = new Array(instances.length);
  for (let k = 0; k < instances.length; k++) {
    const x: unknown = instances[k];
    const pair = Array.isArray(x) ? (x.length === 2 ? x : null) : isObject(x) ? [x.user, x.item] : null;
    if (pair === null) throw invalid(`instances[${k}]: expected [user, item] or {"user": …, "item": …}, got ${preview(x)}`, { index: k });
    users[k] = id(pair[0], k, 'user');
    items[k] = id(pair[1], k, 'item');
  }
  return { users, items };
}

function id(v: unknown, k: number, what: string): string | number {
  if ((typeof v === 'string' && v.trim() !== '') || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw invalid(`instances[${k}]: ${what} id must be a non-empty string or a number, got ${preview(v)}`, { index: k });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function preview(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? s.slice(0, 120) + '…' : s;
}
