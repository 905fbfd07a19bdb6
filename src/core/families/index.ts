export {
  predictsRatings,
  clipScore,
  decodeExtension,
  estimateAt,
  encodeExtension,
  familyName,
  familyNames,
  familyOf,
  scoreUser,
  topNFor,
} from './dispatch.js';
export { UNCOVERED_SCORE } from './ease.js';
export type { SimilarityName } from './similarity.js';
export type * from './types.js';
