import { invalid } from '../errors.js';
import { baseline } from './baseline.js';
import { svd } from './svd.js';
import { svdpp } from './svdpp.js';
import type { Algorithm } from './types.js';

export type { Algorithm, FitContext } from './types.js';
export type { SvdConfig } from './svd.js';
export type { SvdppConfig } from './svdpp.js';
export type { BaselineConfig } from './baseline.js';
export { svd, svdpp, baseline };

const registry: ReadonlyMap<string, Algorithm> = new Map<string, Algorithm>(
  [svd, svdpp, baseline].flatMap((a) => [
    [a.id, a as Algorithm],
    [a.displayName.toLowerCase(), a as Algorithm],
  ]),
);

/** Looks an algorithm up by id or Surprise class name, case-insensitively (`svd`, `SVDpp`, `BaselineOnly`). */
export function getAlgorithm(name: string): Algorithm {
  const a = registry.get(name.toLowerCase());
  if (!a) throw invalid(`unknown algorithm '${name}'; known: ${algorithmIds().join(', ')}`, { algorithm: name });
  return a;
}

export const algorithmIds = (): string[] => [svd.id, svdpp.id, baseline.id];
