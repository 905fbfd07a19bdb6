import { invalid } from '../core/errors.js';
import { tokenize, type Token } from '../sql/index.js';
import type { SqlParam } from '../warehouse/index.js';

/** One entry of a query-request's `bindings`: `{"1": {"type": "FIXED", "value": "42"}}`; arrays bind many rows. */
export interface Binding {
  type: string;
  value: string | null | (string | null)[];
}

/** SQL with `?` markers only and the values in marker order; `rows` > 1 when arrays were bound. */
export interface BoundSql {
  readonly sql: string;
  readonly params: SqlParam[];
  readonly rows: number;
  /** Array binds that could not become one multi-row INSERT: the statement repeated once per row. */
  readonly repeated: boolean;
}

export const MAX_ARRAY_VALUES = 1_000_000;

/**
 * Turns Snowflake's bindings into DuckDB parameters: `?` takes bindings "1", "2"… in order, `:2` takes
 * binding "2" and `:name` binding "name". Every value is checked against its declared type and passed
 * as a typed parameter (never pasted into the SQL). Arrays bind several rows: a single-row
 * `INSERT … VALUES (…)` becomes one multi-row INSERT, anything else runs once per row.
 */
export function bindSql(sqlText: string, bindings: unknown): BoundSql {
  if (bindings === undefined || bindings === null) return { sql: sqlText, params: [], rows: 1, repeated: false };
  if (typeof bindings !== 'object' || Array.isArray(bindings))
    throw invalid('bindings must be an object such as {"1": {"type": "FIXED", "value": "1"}}');
  const entries = bindings as Record<string, unknown>;
  const { sql, keys } = markersToQuestionMarks(sqlText, Object.keys(entries));
  const columns = keys.map((key) => valuesOf(key, entries[key]));
  const rowCounts = new Set(columns.map((c) => (Array.isArray(c) ? c.length : -1)));
  if (rowCounts.size > 1) throw invalid('array bindings must all have the same number of values, and cannot be mixed with single values');
  const rows = [...rowCounts][0] ?? -1;
  if (rows === -1) return { sql, params: columns as SqlParam[], rows: 1, repeated: false };
  if (rows === 0) throw invalid('array bindings have no values');
  if (rows * columns.length > MAX_ARRAY_VALUES)
    throw invalid(`array bindings carry ${rows * columns.length} values; at most ${MAX_ARRAY_VALUES} per request`);
  const perRow = (r: number): SqlParam[] => columns.map((c) => (c as SqlParam[])[r]);
  const all = Array.from({ length: rows }, (_, r) => perRow(r)).flat();
  const multi = multiRowInsert(sql, rows);
  if (multi !== null) return { sql: multi, params: all, rows, repeated: false };
  return { sql: Array.from({ length: rows }, () => stripSemicolon(sql)).join(';\n'), params: all, rows, repeated: true };
}

/** Rewrites `:N` / `:name` markers to `?` and lists, per marker in text order, the binding key it takes. */
function markersToQuestionMarks(sqlText: string, given: readonly string[]): { sql: string; keys: string[] } {
  let tokens: Token[];
  try {
    tokens = tokenize(sqlText);
  } catch {
    // An unterminated string or comment: the engine reports it with its position.
    return { sql: sqlText, keys: [] };
  }
  const keys: string[] = [];
  const byName = new Map(given.map((k) => [k.toUpperCase(), k]));
  let out = '';
  let copied = 0;
  let nextPositional = 1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'param') {
      keys.push(String(nextPositional++));
      continue;
    }
    const next = tokens[i + 1];
    if (t.kind !== 'op' || t.value !== ':' || next === undefined || next.start !== t.end) continue;
    if (!(next.kind === 'word' || (next.kind === 'number' && /^\d+$/.test(next.value)))) continue;
    const prev = tokens[i - 1];
    // `v:name` is a VARIANT path, `= :name` and `(:1` are markers.
    if (
      prev !== undefined &&
      prev.end === t.start &&
      (prev.kind === 'word' || prev.kind === 'quoted' || prev.value === ')' || prev.value === ']')
    )
      continue;
    const key = next.kind === 'number' ? next.value : (byName.get(next.value) ?? next.value);
    keys.push(key);
    out += sqlText.slice(copied, t.start) + '?';
    copied = next.end;
    i++;
  }
  out += sqlText.slice(copied);
  const unused = given.filter((k) => !keys.includes(k));
  if (unused.length > 0)
    throw invalid(`binding ${unused.map((k) => `'${k}'`).join(', ')} has no marker in the SQL text (markers: ?, :1, :name)`);
  return { sql: out, keys };
}

function valuesOf(key: string, entry: unknown): SqlParam | SqlParam[] {
  if (entry === undefined) throw invalid(`the SQL text has a marker for binding '${key}', but no such binding was given`);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw invalid(`binding '${key}' must be an object {"type": …, "value": …}`);
  const { type, value } = entry as Partial<Binding>;
  if (typeof type !== 'string') throw invalid(`binding '${key}' has no type (FIXED, REAL, TEXT, BOOLEAN, DATE, TIME, TIMESTAMP_NTZ …)`);
  if (Array.isArray(value)) return value.map((v, row) => typedValue(key, type, v, row));
  return typedValue(key, type, value);
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^-?\d{1,6}-\d\d-\d\d$/;
const ISO_TIME = /^\d\d:\d\d(:\d\d(\.\d{1,9})?)?$/;
const ISO_TIMESTAMP = /^-?\d{1,6}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d{1,9})?)?)?\s*(Z|[+-]\d\d(:?\d\d)?)?$/;

/** One bound value, checked against its Snowflake type; the error names the binding, row and value. */
function typedValue(key: string, type: string, value: unknown, row?: number): SqlParam {
  if (value === null || value === undefined) return null;
  const where = `binding '${key}'${row === undefined ? '' : ` row ${row + 1}`}`;
  if (typeof value !== 'string') throw invalid(`${where}: value must be a string or null, got ${typeof value}`);
  const bad = (what: string): never => {
    throw invalid(`${where}: '${value.length > 64 ? `${value.slice(0, 64)}…` : value}' is not ${what}`);
  };
  switch (type.toUpperCase()) {
    case 'FIXED': {
      if (INTEGER.test(value)) {
        const n = BigInt(value);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      return DECIMAL.test(value) ? Number(value) : bad('a FIXED number');
    }
    case 'REAL': {
      if (/^[+-]?(inf|infinity)$/i.test(value)) return value.startsWith('-') ? -Infinity : Infinity;
      if (/^nan$/i.test(value)) return Number.NaN;
      return DECIMAL.test(value) ? Number(value) : bad('a REAL number');
    }
    case 'BOOLEAN': {
      const v = value.toLowerCase();
      if (['true', '1', 't', 'yes', 'y', 'on'].includes(v)) return true;
      if (['false', '0', 'f', 'no', 'n', 'off'].includes(v)) return false;
      return bad('a BOOLEAN');
    }
    case 'TEXT':
    case 'ANY':
      return value;
    case 'DATE':
      // Drivers send DATE as milliseconds since the epoch (JDBC, Python) or as ISO text.
      if (INTEGER.test(value)) return isoFromMillis(Number(value)).slice(0, 10);
      return ISO_DATE.test(value) && realDate(value) ? value : bad('a DATE (YYYY-MM-DD or milliseconds since the epoch)');
    case 'TIME':
      if (INTEGER.test(value)) return isoFromNanos(BigInt(value)).slice(11);
      return ISO_TIME.test(value) && Number(value.slice(0, 2)) < 24 && Number(value.slice(3, 5)) < 60 && Number(value.slice(6, 8) || 0) < 60
        ? value
        : bad('a TIME (HH:MI:SS[.f] or nanoseconds since midnight)');
    case 'TIMESTAMP':
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ': {
      // JDBC sends nanoseconds since the epoch (TZ: "<nanos> <offset minutes + 1440>").
      const m = /^([+-]?\d+)(?: (\d{1,4}))?$/.exec(value);
      if (m) {
        if (m[2] === undefined) return isoFromNanos(BigInt(m[1]));
        // The instant is UTC; written as local time at its offset.
        const offset = Number(m[2]) - 1440;
        return isoFromNanos(BigInt(m[1]) + BigInt(offset) * 60_000_000_000n) + offsetText(offset);
      }
      if (!ISO_TIMESTAMP.test(value) || Number.isNaN(Date.parse(value.replace(' ', 'T'))))
        return bad(`a ${type.toUpperCase()} (ISO 8601 text or nanoseconds since the epoch)`);
      return value;
    }
    case 'BINARY':
      return /^([0-9a-fA-F]{2})*$/.test(value) ? value : bad('BINARY as hexadecimal text');
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      try {
        JSON.parse(value);
      } catch {
        return bad(`${type.toUpperCase()} as JSON text`);
      }
      return value;
    default:
      throw invalid(
        `${where}: unknown bind type '${type}' (FIXED, REAL, TEXT, BOOLEAN, DATE, TIME, TIMESTAMP_NTZ, TIMESTAMP_LTZ, TIMESTAMP_TZ, BINARY, VARIANT, OBJECT, ARRAY)`,
      );
  }
}

/** `2024-02-30` matches the pattern but is no date: the calendar must give back the same day. */
function realDate(text: string): boolean {
  const [y, m, d] = text.split(/(?<=\d)-/).map(Number);
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y);
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function isoFromMillis(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw invalid(`${ms} milliseconds is outside the range of dates`);
  return d.toISOString().replace('Z', '');
}

function isoFromNanos(nanos: bigint): string {
  const ms = nanos / 1_000_000n - (nanos < 0n && nanos % 1_000_000n !== 0n ? 1n : 0n);
  const frac = ((nanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  return `${isoFromMillis(Number(ms)).slice(0, 19)}.${frac.toString().padStart(9, '0')}`;
}

function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `INSERT … VALUES (?, ?)` → `INSERT … VALUES (?, ?), (?, ?), …`; null when the statement is not that shape. */
function multiRowInsert(sql: string, rows: number): string | null {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return null;
  }
  while (tokens.length > 0 && tokens[tokens.length - 1].value === ';') tokens.pop();
  if (tokens[0]?.value !== 'INSERT' || tokens.some((t) => t.value === ';')) return null;
  const values = tokens.findLastIndex((t) => t.kind === 'word' && t.value === 'VALUES');
  if (values < 0 || tokens[values + 1]?.value !== '(') return null;
  let depth = 0;
  let close = -1;
  for (let i = values + 1; i < tokens.length; i++) {
    if (tokens[i].value === '(') depth++;
    if (tokens[i].value === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close !== tokens.length - 1) return null;
  const tuple = sql.slice(tokens[values + 1].start, tokens[close].end);
  return sql.slice(0, tokens[values + 1].start) + Array.from({ length: rows }, () => tuple).join(', ');
}

function stripSemicolon(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
