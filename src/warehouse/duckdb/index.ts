export { openDuckDbWarehouse, type DuckDbWarehouseOptions } from './duckdb-warehouse.js';
export { readRatingsCsv, withRatingsFileReader, type ReadRatingsCsvOptions, type ReadRatingsResult } from './ratings-reader.js';
