export type { Session, StatementResult, ResultColumnType } from './session.js';
export { accessListings, checkUseRole } from './statements/index.js';
export { SqlExecutor, type ExecutorDeps } from './executor.js';
export { Catalog } from './catalog.js';
export { SNOWFLAKE_FUNCTIONS } from './functions.js';
export { SYSTEM_DATABASE, DEFAULT_SCHEMA, parseObjectName, resolveTableName } from './identifiers.js';
export { splitStatements, tokenize, type Statement, type Token } from './tokens.js';
export type { ObjectListing } from './statements/listings.js';
export { StageStore, type StageRecord } from './stages.js';
