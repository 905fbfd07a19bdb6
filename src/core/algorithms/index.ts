import { invalid } from '../errors.js';
import { als } from './als.js';
import { baseline } from './baseline.js';
import { blend } from './blend.js';
import { bpmf } from './bpmf.js';
import { bpr } from './bpr.js';
import { ease } from './ease.js';
import { knnBaseline, knnBasic, knnWithMeans } from './knn.js';
import { svd } from './svd.js';
import { svdpp } from './svdpp.js';
import { timesvd } from './timesvd.js';
import { wrmf } from './wrmf.js';
import type { Algorithm } from './types.js';

export type { Algorithm, FitContext } from './types.js';
export type { SvdConfig, SvdFitConfig } from './svd.js';
export { svdInitialState, svdModelOf } from './svd.js';
export {
  checkPiece,
  gatherRows,
  loadStrata,
  PIECE,
  planStrata,
  scatterRows,
  strataOf,
  strataPieces,
  strataShapes,
  stratumOf,
  svdStrataFit,
  svdStrataOf,
  type StrataPlan,
} from './svd-strata.js';
export type { SvdppConfig } from './svdpp.js';
export type { BaselineConfig } from './baseline.js';
export type { KnnConfig } from './knn.js';
export type { EaseConfig } from './ease.js';
export type { BlendConfig, BlendComponent } from './blend.js';
export type { AlsConfig } from './als.js';
export type { TimeSvdConfig } from './timesvd.js';
export type { WrmfConfig } from './wrmf.js';
export type { BprConfig } from './bpr.js';
export type { BpmfConfig } from './bpmf.js';
export { svd, svdpp, baseline, knnBasic, knnWithMeans, knnBaseline, ease, blend };
export { als, timesvd, wrmf, bpr, bpmf };

/**
 * Every registered algorithm. A new family registers here: its Algorithm (id, displayName, defaults,
 * parseConfig, fit, epochs) in this list, and, when its models are not factor models, its Family
 * (estimate, scoreUser, encode, decode) in families/dispatch.ts.
 */
const ALL: readonly Algorithm[] = [
  ...([svd, svdpp, baseline, knnBasic, knnWithMeans, knnBaseline, ease, blend] as Algorithm[]),
  ...([timesvd, als, wrmf, bpr, bpmf] as Algorithm[]),
];

const registry: ReadonlyMap<string, Algorithm> = new Map<string, Algorithm>(
  ALL.flatMap((a) => [
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

export const algorithmIds = (): string[] => ALL.map((a) => a.id);

/** Whether fitting `name` with these (raw, user-given) parameters reads the ratings' timestamps; bad parameters throw here. */
export function readsTimestamps(name: string, params: Readonly<Record<string, unknown>> = {}): boolean {
  const algo = getAlgorithm(name);
  return algo.usesTimestamps?.(algo.parseConfig(params)) === true;
}
