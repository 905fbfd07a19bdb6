import { invalid } from '../core/errors.js';

/** A JSON value as Snowflake sends an argument (VARIANT arguments arrive as objects and arrays). */
export type ArgValue = null | boolean | number | string | ArgValue[] | { [key: string]: ArgValue };

/** One request batch, column-major so a function can score a whole argument vector at once. */
export interface Batch {
  /** Row numbers exactly as sent, echoed in the answer. */
  readonly rowNumbers: readonly number[];
  /** args[i][r]: argument i of row r; optional trailing arguments a row omitted are null. */
  readonly args: readonly ArgValue[][];
}

/** What a function takes: its argument names, the first `required` of them mandatory. */
export interface Signature {
  readonly name: string;
  readonly params: readonly string[];
  readonly required: number;
}

/**
 * Checks a parsed request body against Snowflake's external-function format
 * `{"data": [[row_number, arg…], …]}` and the function's arity. Each error names the offending row.
 */
export function parseBatch(body: unknown, sig: Signature): Batch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(`request body must be a JSON object {"data": [[row_number, arg…], …]}, got ${kind(body)}`);
  }
  const data = (body as { data?: unknown }).data;
  if (data === undefined) throw invalid('request body has no "data" field; Snowflake sends {"data": [[row_number, arg…], …]}');
  if (!Array.isArray(data)) throw invalid(`"data" must be an array of rows [row_number, arg…], got ${kind(data)}`);
  const rowNumbers: number[] = new Array<number>(data.length);
  const args: ArgValue[][] = sig.params.map(() => new Array<ArgValue>(data.length));
  for (let r = 0; r < data.length; r++) {
    const row: unknown = data[r];
    if (!Array.isArray(row)) throw invalid(`data[${r}] must be an array [row_number, arg…], got ${kind(row)}`);
    const n: unknown = row[0];
    if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(`data[${r}][0] (the row number) must be a number, got ${kind(n)}`);
    const given = row.length - 1;
    if (given < sig.required || given > sig.params.length) {
      throw invalid(
        `row ${n} (data[${r}]) has ${given} argument${given === 1 ? '' : 's'}; ${sig.name} takes ${arity(sig)} (${sig.params.join(', ')})`,
      );
    }
    rowNumbers[r] = n;
    for (let i = 0; i < sig.params.length; i++) args[i][r] = i < given ? (row[i + 1] as ArgValue) : null;
  }
  return { rowNumbers, args };
}

function arity(sig: Signature): string {
  return sig.required === sig.params.length ? String(sig.required) : `${sig.required} to ${sig.params.length}`;
}

/** A short description of a value for error messages (never the whole value: it may be large). */
export function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return v.length > 40 ? `the string "${v.slice(0, 40)}…"` : `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}
