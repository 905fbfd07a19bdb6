import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Api from '@duckdb/node-api';
import { packageRoot } from '../../util/package-root.js';

/**
 * @duckdb/node-api, loaded with require(): it is CommonJS in ~180 files, and an ESM `import` of it has
 * Node 20 lex every one of them for export names first (cjs-module-lexer), 0.37 instead of 0.17 CPU-s
 * in every process that opens DuckDB. `npm run build` bundles those files into one
 * (scripts/build-duckdb-api.js): resolving, reading and wrapping 180 modules took 0.19 CPU-s of every
 * start-up, the one file 0.09. Without the bundle (tsc alone) the package itself is loaded. The
 * warehouse takes DuckDB's values from here, never from the package, so there is one copy of its classes.
 */
const bundle = join(packageRoot(), 'build', 'duckdb-node-api.cjs');
const api: typeof Api = createRequire(import.meta.url)(existsSync(bundle) ? bundle : '@duckdb/node-api');

export type * from '@duckdb/node-api';
export const {
  ANY,
  BIGINT,
  BOOLEAN,
  DOUBLE,
  INTEGER,
  LIST,
  STRUCT,
  VARCHAR,
  listValue,
  structValue,
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBDoubleVector,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBScalarFunction,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBVarCharType,
  DuckDBVector,
  ResultReturnType,
  StatementType,
} = api;
// The classes and enums above are types too.
export type DuckDBArrayValue = Api.DuckDBArrayValue;
export type DuckDBBlobValue = Api.DuckDBBlobValue;
export type DuckDBDecimalValue = Api.DuckDBDecimalValue;
export type DuckDBDoubleVector = Api.DuckDBDoubleVector;
export type DuckDBInstance = Api.DuckDBInstance;
export type DuckDBListValue = Api.DuckDBListValue;
export type DuckDBMapValue = Api.DuckDBMapValue;
export type DuckDBScalarFunction = Api.DuckDBScalarFunction;
export type DuckDBStructValue = Api.DuckDBStructValue;
export type DuckDBTimestampMillisecondsValue = Api.DuckDBTimestampMillisecondsValue;
export type DuckDBTimestampNanosecondsValue = Api.DuckDBTimestampNanosecondsValue;
export type DuckDBTimestampSecondsValue = Api.DuckDBTimestampSecondsValue;
export type DuckDBTimestampTZValue = Api.DuckDBTimestampTZValue;
export type DuckDBTimestampValue = Api.DuckDBTimestampValue;
export type DuckDBTypeId = Api.DuckDBTypeId;
export type DuckDBVarCharType = Api.DuckDBVarCharType;
export type DuckDBVector = Api.DuckDBVector;
export type ResultReturnType = Api.ResultReturnType;
export type StatementType = Api.StatementType;
