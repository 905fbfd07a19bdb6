import {
  BIGINT,
  DOUBLE,
  DuckDBScalarFunction,
  DuckDBTypeId,
  DuckDBVarCharType,
  VARCHAR,
  ANY,
  DuckDBArrayValue,
  DuckDBListValue,
  DuckDBStructValue,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBVector,
} from './duckdb-api.js';
import { duckdbCall } from './errors.js';
import type { FunctionArg, FunctionCallContext, FunctionValueType, ScalarFunctionSpec } from '../warehouse.js';

const JSON_TYPE = DuckDBVarCharType.create('JSON');

const TYPES: Record<FunctionValueType, DuckDBType> = { ANY, VARCHAR, DOUBLE, BIGINT, JSON: JSON_TYPE };

/** DuckDB hands DECIMAL and other non-primitive values over as objects; functions get plain values. */
function plain(v: unknown): FunctionArg {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  // A LIST or STRUCT (array_agg(…), {…}) arrives as JSON text, as a VARIANT does.
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue || v instanceof DuckDBStructValue) return JSON.stringify(jsonable(v));
  const o = v as { toDouble?: () => number };
  return typeof o.toDouble === 'function' ? o.toDouble() : String(v);
}

function jsonable(v: unknown): unknown {
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(jsonable);
  if (v instanceof DuckDBStructValue) return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, jsonable(x)]));
  const p = plain(v);
  return typeof p === 'bigint' ? p.toString() : p;
}

/** The parts of DuckDB's VARCHAR vector that readColumn uses to skip decoding repeated strings. */
interface VarCharInternals {
  readonly dataView?: DataView;
  readonly validity?: { itemValid(i: number): boolean };
}

/**
 * One argument column as plain values. A VARCHAR argument is usually the same string on every row
 * (the endpoint name of invoke_model), and decoding it row by row costs more than the model itself;
 * DuckDB's 16-byte string headers (length, prefix, pointer or inline bytes) are equal exactly when
 * they describe the same bytes, so a row whose header repeats the previous one reuses its string.
 */
function readColumn(vector: DuckDBVector, rows: number): FunctionArg[] {
  const column = new Array<FunctionArg>(rows);
  const { dataView: view, validity } = vector as unknown as VarCharInternals;
  if (!(vector.type.typeId === DuckDBTypeId.VARCHAR && view instanceof DataView && validity)) {
    for (let r = 0; r < rows; r++) column[r] = plain(vector.getItem(r));
    return column;
  }
  let previous: FunctionArg = null;
  let a = -1,
    b = -1,
    c = -1,
    d = -1;
  for (let r = 0; r < rows; r++) {
    if (!validity.itemValid(r)) {
      column[r] = null;
      continue;
    }
    const o = r * 16;
    const w = view.getUint32(o, true),
      x = view.getUint32(o + 4, true),
      y = view.getUint32(o + 8, true),
      z = view.getUint32(o + 12, true);
    if (w !== a || x !== b || y !== c || z !== d || previous === null) {
      previous = vector.getItem(r) as string;
      a = w;
      b = x;
      c = y;
      d = z;
    }
    column[r] = previous;
  }
  return column;
}

/**
 * Registers `spec` on one connection. Volatile, so DuckDB never folds a call with constant
 * arguments at bind time: functions such as train_and_get_recommendations act, and must run once
 * per row of the query that calls them.
 */
export function registerScalar(conn: DuckDBConnection, spec: ScalarFunctionSpec, contexts: FunctionContexts): void {
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: spec.name,
      returnType: TYPES[spec.returns],
      parameterTypes: spec.parameters.map((t) => TYPES[t]),
      volatile: true,
      specialHandling: true,
      bindFunction: (bind) => bind.setBindData({ connection: bind.clientContext.connectionId }),
      mainFunction: (info, chunk, out) => {
        const rows = chunk.rowCount;
        try {
          const args = spec.parameters.map((_, c) => readColumn(chunk.getColumnVector(c), rows));
          const values = spec.invoke(args, rows, contexts.of((info.bindData as { connection: number }).connection));
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

const NO_CONTEXT: FunctionCallContext = { database: null, schema: null, role: null };
const PROBE = 'recpipe_connection_id';

/**
 * The current database, schema and role of each connection, for JS functions. DuckDB tells a function
 * which connection calls it only as a client-context id at bind time, so every new connection
 * learns its id once through a probe function, and useSchema records contexts by that id.
 */
export class FunctionContexts {
  private readonly ids = new WeakMap<DuckDBConnection, number>();
  private readonly byId = new Map<number, FunctionCallContext>();
  private probeRegistered = false;

  async learn(conn: DuckDBConnection): Promise<void> {
    if (!this.probeRegistered) {
      conn.registerScalarFunction(
        DuckDBScalarFunction.create({
          name: PROBE,
          returnType: BIGINT,
          volatile: true,
          bindFunction: (bind) => bind.setBindData({ connection: bind.clientContext.connectionId }),
          mainFunction: (info, chunk, out) => {
            for (let r = 0; r < chunk.rowCount; r++) out.setItem(r, BigInt((info.bindData as { connection: number }).connection));
            out.flush();
          },
        }),
      );
      this.probeRegistered = true;
    }
    const reader = await duckdbCall(() => conn.runAndReadAll(`SELECT ${PROBE}()`));
    this.ids.set(conn, Number(reader.getRows()[0][0]));
  }

  set(conn: DuckDBConnection, ctx: FunctionCallContext): void {
    const id = this.ids.get(conn);
    if (id !== undefined) this.byId.set(id, { ...ctx, connection: id });
  }

  /** The id functions see for `conn` (-1 before it was learned). */
  idOf(conn: DuckDBConnection): number {
    return this.ids.get(conn) ?? -1;
  }

  /** What was last recorded for a connection. */
  current(conn: DuckDBConnection): FunctionCallContext {
    const id = this.ids.get(conn);
    return (id === undefined ? undefined : this.byId.get(id)) ?? NO_CONTEXT;
  }

  of(connection: number): FunctionCallContext {
    return this.byId.get(connection) ?? NO_CONTEXT;
  }
}
