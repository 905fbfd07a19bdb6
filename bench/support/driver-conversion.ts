import { createRequire } from 'node:module';
import type { StatementResult } from '../../src/engine/index.js';
import { PARAMETERS, encodeResult } from '../../src/snowflake-protocol/index.js';

/** snowflake-sdk's own column class: what turns each wire value of a row into a JavaScript value. */
interface DriverColumn {
  _getRowValue(row: { values: unknown[]; _arrayProcessedColumns: boolean[] }): unknown;
}
type DriverColumnClass = new (options: Record<string, unknown>) => DriverColumn;

const Column = createRequire(import.meta.url)('snowflake-sdk/dist/lib/connection/result/column.js') as DriverColumnClass;

export interface ColumnConversion {
  readonly name: string;
  /** The wire type recpipe sends (rowtype.type) and its scale. */
  readonly wireType: string;
  readonly scale: number | null;
  /** CPU seconds the driver's conversion of every value of the column took. */
  readonly cpuSeconds: number;
}

/**
 * The driver's per-value work alone, with no HTTP and no JSON parse: each column of `result`, encoded
 * as recpipe sends it (rowtype and wire text), converted by snowflake-sdk's Column as its row stream
 * does. What a column's CPU costs here the driver spends on every result with that column, whatever
 * the server does.
 */
export function driverConversion(result: StatementResult): ColumnConversion[] {
  const { rowtype, rowset } = encodeResult(result.columns, result.rows);
  const statementParameters = Object.fromEntries(PARAMETERS.map((p) => [p.name, p.value]));
  return rowtype.map((type, index) => {
    const column = new Column({
      columnMetadata: type,
      index,
      statementParameters,
      resultVersion: '1',
      onPrecisionLoss: () => undefined,
      onNonJsonCompliantVariant: () => undefined,
    });
    const rows = rowset.map((values) => ({ values: [...values], _arrayProcessedColumns: [] as boolean[] }));
    const c0 = process.cpuUsage();
    for (const row of rows) column._getRowValue(row);
    const c = process.cpuUsage(c0);
    return { name: type.name, wireType: type.type, scale: type.scale, cpuSeconds: (c.user + c.system) / 1e6 };
  });
}
