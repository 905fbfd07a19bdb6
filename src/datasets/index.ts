export { readRatingsFile, readFoldsDir, type ReadRatingsOptions } from './ratings-file.js';
