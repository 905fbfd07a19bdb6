export type * from './warehouse.js';
export { columnRows, columnValue, isIdLists, isTextBytes, rowRecords } from './warehouse.js';
export {
  quoteIdent,
  quoteColumnLabel,
  quoteTableName,
  displayName,
  checkIdentifier,
  stringLiteral,
  MAX_IDENTIFIER_LENGTH,
  STREAM_OFFSETS_SCHEMA,
} from './identifiers.js';
export { openDuckDbWarehouse, type DuckDbWarehouseOptions } from './duckdb/index.js';
