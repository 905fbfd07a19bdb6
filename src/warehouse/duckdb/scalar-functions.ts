import { BIGINT, DOUBLE, DuckDBScalarFunction, DuckDBVarCharType, VARCHAR, ANY, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import type { FunctionArg, FunctionCallContext, FunctionValueType, ScalarFunctionSpec } from '../warehouse.js';

const JSON_TYPE = DuckDBVarCharType.create('JSON');

const TYPES: Record<FunctionValueType, DuckDBType> = { ANY, VARCHAR, DOUBLE, BIGINT, JSON: JSON_TYPE };

/** DuckDB hands DECIMAL and other non-primitive values over as objects; functions get plain values. */
function plain(v: unknown): FunctionArg {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  const o = v as { toDouble?: () => number };
  return typeof o.toDouble === 'function' ? o.toDouble() : String(v);
}

/**
 * Registers `spec` on one connection. Volatile, so DuckDB never folds a call with constant
 * arguments at bind time: functions such as train_and_get_recommendations act, and must run once
 * per row of the query that calls them.
 */
export function registerScalar(conn: DuckDBConnection, spec: ScalarFunctionSpec, context: () => FunctionCallContext): void {
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: spec.name,
      returnType: TYPES[spec.returns],
      parameterTypes: spec.parameters.map((t) => TYPES[t]),
      volatile: true,
      specialHandling: true,
      mainFunction: (info, chunk, out) => {
        const rows = chunk.rowCount;
        try {
          const args = spec.parameters.map((_, c) => {
            const vector = chunk.getColumnVector(c);
            const column = new Array<FunctionArg>(rows);
            for (let r = 0; r < rows; r++) column[r] = plain(vector.getItem(r));
            return column;
          });
          const values = spec.invoke(args, rows, context());
          for (let r = 0; r < rows; r++) {
            const v = values[r];
            out.setItem(r, v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : (v as never));
          }
          out.flush();
        } catch (e) {
          info.setError(e instanceof Error ? e.message : String(e));
        }
      },
    }),
  );
}
