import { quoteIdent } from '../../../warehouse/index.js';
import { RecpipeError } from '../../../core/errors.js';
import { compilation } from '../../errors.js';
import type { KeptResult } from '../../query-history.js';
import { kindOf, lowerName, rewrite, type Node } from '../ast.js';
import type { TransformContext } from '../context.js';
import { spliceFromItem } from '../splice.js';
import { expr, stringLiteral } from '../template.js';

/**
 * `LAST_QUERY_ID([n])` → the session's query id (or NULL), and `TABLE(RESULT_SCAN(id))` → the
 * kept result of that query as an inline VALUES table with its column names and types.
 */
export function resultScan(ast: Node, tc: TransformContext): void {
  rewrite(ast, (node) => {
    const name = lowerName(node);
    if (name === 'last_query_id') {
      const id = lastQueryId(node, tc);
      return id === null ? expr('NULL') : stringLiteral(id);
    }
    const scan =
      name === 'table' && lowerName(node.function.args[0] ?? {}) === 'result_scan'
        ? node.function.args[0]
        : name === 'result_scan'
          ? node
          : null;
    if (!scan) return undefined;
    const [arg] = scan.function.args;
    if (scan.function.args.length !== 1 || kindOf(arg) !== 'literal' || arg.literal.literal_type !== 'string') {
      throw compilation('INVALID_ARGUMENT', 'RESULT_SCAN needs one query id: a string or LAST_QUERY_ID([n])');
    }
    return spliceFromItem(tc, `(${keptResultSql(kept(arg.literal.value, tc))})`);
  });
}

function lastQueryId(node: Node, tc: TransformContext): string | null {
  const args: Node[] = node.function.args;
  if (args.length > 1) throw compilation('INVALID_ARGUMENT', 'LAST_QUERY_ID takes at most one argument');
  let n = -1;
  if (args.length === 1) {
    const neg = kindOf(args[0]) === 'neg';
    const lit = neg ? args[0].neg.this : args[0];
    if (kindOf(lit) !== 'literal' || lit.literal.literal_type !== 'number' || !/^\d+$/.test(lit.literal.value)) {
      throw compilation('INVALID_ARGUMENT', 'LAST_QUERY_ID takes an integer constant');
    }
    n = (neg ? -1 : 1) * Number(lit.literal.value);
  }
  return tc.session.history?.lastQueryId(n) ?? null;
}

function kept(id: string, tc: TransformContext): KeptResult {
  const found = tc.session.history?.result(id);
  if (!found) throw compilation('NOT_FOUND', `Statement ${id} not found`);
  if (!found.result) {
    throw new RecpipeError(
      'RESOURCE_EXHAUSTED',
      `RESULT_SCAN: the result of statement ${id} has ${found.rows} rows; recpipe keeps results of up to ${tc.session.history?.rowsPerResult} rows and 64 MB in all`,
    );
  }
  return found.result;
}

/** DuckDB types for the Snowflake types results carry; numbers are BIGINT when every value is a safe integer. */
function duckType(type: string, values: readonly unknown[]): string {
  switch (type) {
    case 'NUMBER':
      return values.every((v) => v === null || Number.isSafeInteger(typeof v === 'string' ? Number(v) : v)) ? 'BIGINT' : 'DOUBLE';
    case 'FLOAT':
      return 'DOUBLE';
    case 'BOOLEAN':
    case 'DATE':
    case 'TIME':
      return type;
    case 'TIMESTAMP_NTZ':
      return 'TIMESTAMP';
    case 'TIMESTAMP_TZ':
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMPTZ';
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return 'JSON';
    default:
      return 'VARCHAR';
  }
}

function literal(v: unknown, type: string): string {
  if (v === null || v === undefined) return `CAST(NULL AS ${type})`;
  const text = type === 'JSON' || (typeof v === 'object' && !(v instanceof Date)) ? JSON.stringify(v) : String(v);
  return `CAST('${text.replace(/'/g, "''")}' AS ${type})`;
}

/** A kept result as a DuckDB query: VALUES with the result's column names, or an empty typed row set. */
export function keptResultSql(r: KeptResult): string {
  const types = r.columns.map((c, i) =>
    duckType(
      c.type,
      r.rows.map((row) => row[i]),
    ),
  );
  const names = r.columns.map((c) => quoteIdent(c.name));
  if (r.rows.length === 0) return `SELECT ${types.map((t, i) => `CAST(NULL AS ${t}) AS ${names[i]}`).join(', ')} WHERE false`;
  const rows = r.rows.map((row) => `(${types.map((t, i) => literal(row[i], t)).join(', ')})`);
  return `SELECT * FROM (VALUES ${rows.join(', ')}) AS kept(${names.join(', ')})`;
}
