export { readRatingsFile, readFoldsDir, withTimestampsOf, type ReadRatingsOptions } from './ratings-file.js';
export { movielens100kShaped, ML100K_SHAPE, type Ml100kShaped } from './movielens-100k-shaped.js';
