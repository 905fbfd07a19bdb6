import type { ResultColumnType } from '../engine/index.js';

/** One column of Snowflake's `rowtype`, as its drivers read it. */
export interface RowType {
  name: string;
  database: string;
  schema: string;
  table: string;
  type: string;
  nullable: boolean;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
  collation: null;
}

type Encoder = (v: unknown) => string;

interface ColumnCodec {
  readonly type: string;
  readonly encode: Encoder;
}

const MAX_TEXT = 16_777_216;
const DAY_MS = 86_400_000;

/**
 * The result in Snowflake's JSON result format (version 1): every value a string in the type's wire
 * encoding (FIXED and REAL as decimal text, BOOLEAN "1"/"0", DATE days since the epoch, TIME and
 * TIMESTAMP_NTZ/LTZ "seconds.nanoseconds", TIMESTAMP_TZ "seconds.nanoseconds <offset minutes + 1440>",
 * VARIANT/OBJECT/ARRAY JSON text), null for NULL.
 */
export function encodeResult(
  columns: readonly ResultColumnType[],
  rows: readonly unknown[][],
): { rowtype: RowType[]; rowset: (string | null)[][] } {
  const codecs = columns.map((c) => codecFor(c.type));
  const rowtype = rowTypes(columns, rows);
  const encoders = codecs.map((c) => c.encode);
  const width = encoders.length;
  const rowset = new Array<(string | null)[]>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const out = new Array<string | null>(width);
    for (let i = 0; i < width; i++) {
      const v = row[i];
      out[i] = v === null || v === undefined ? null : encoders[i](v);
    }
    rowset[r] = out;
  }
  return { rowtype, rowset };
}

/** Wire types whose encodings are digits, signs, dots, spaces and letters only: put between quotes without JSON escaping. */
const PLAIN = new Set(['fixed', 'real', 'boolean', 'date', 'time', 'timestamp_ntz', 'timestamp_ltz', 'timestamp_tz']);

/**
 * Rows `start` to `end` in Snowflake's chunk format: each row a JSON array of encoded values, rows
 * separated by commas, no enclosing brackets. Written as text directly: for a large result this is
 * most of the server's work, and building arrays of strings to stringify them doubled it (and its garbage).
 */
export function encodeChunk(columns: readonly ResultColumnType[], rows: readonly unknown[][], start: number, end: number): string {
  const codecs = columns.map((c) => codecFor(c.type));
  const encoders = codecs.map((c) => c.encode);
  const plain = codecs.map((c) => PLAIN.has(c.type));
  const width = encoders.length;
  let out = '';
  for (let r = start; r < end; r++) {
    const row = rows[r];
    let line = r === start ? '[' : ',[';
    for (let i = 0; i < width; i++) {
      const v = row[i];
      if (i > 0) line += ',';
      if (v === null || v === undefined) line += 'null';
      else if (plain[i]) line += `"${encoders[i](v)}"`;
      else line += JSON.stringify(encoders[i](v));
    }
    out += `${line}]`;
  }
  return out;
}

/** The `rowtype` alone (NUMBER scales are read from `rows`, so a chunked result passes all of its rows). */
export function rowTypes(columns: readonly ResultColumnType[], rows: readonly unknown[][]): RowType[] {
  return columns.map((c, i) => rowTypeOf(c.name, codecFor(c.type).type, rows, i));
}

function codecFor(sfType: string): ColumnCodec {
  const t = sfType.toUpperCase().replace(/\(.*$/, '');
  switch (t) {
    case 'NUMBER':
    case 'DECIMAL':
    case 'NUMERIC':
    case 'INT':
    case 'INTEGER':
    case 'BIGINT':
      return { type: 'fixed', encode: decimalText };
    case 'FLOAT':
    case 'DOUBLE':
    case 'REAL':
      return { type: 'real', encode: realText };
    case 'BOOLEAN':
      return { type: 'boolean', encode: (v) => (v === true || v === 'true' || v === 1 ? '1' : '0') };
    case 'DATE':
      return { type: 'date', encode: dateDays };
    case 'TIME':
      return { type: 'time', encode: timeOfDay };
    case 'TIMESTAMP_NTZ':
    case 'DATETIME':
    case 'TIMESTAMP': {
      const fast = plainTimestamps();
      return { type: 'timestamp_ntz', encode: (v) => fast(String(v)) ?? epochText(String(v)).text };
    }
    case 'TIMESTAMP_LTZ': {
      const fast = plainTimestamps();
      return { type: 'timestamp_ltz', encode: (v) => fast(String(v)) ?? epochText(String(v)).text };
    }
    case 'TIMESTAMP_TZ': {
      return {
        type: 'timestamp_tz',
        encode: (v) => {
          const e = epochText(String(v));
          return `${e.text} ${e.offsetMinutes + 1440}`;
        },
      };
    }
    case 'VARIANT':
      return { type: 'variant', encode: jsonText };
    case 'OBJECT':
      return { type: 'object', encode: jsonText };
    case 'ARRAY':
      return { type: 'array', encode: jsonText };
    case 'BINARY':
      return { type: 'binary', encode: String };
    default:
      return { type: 'text', encode: (v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)) };
  }
}

function rowTypeOf(name: string, type: string, rows: readonly unknown[][], i: number): RowType {
  const base = { name, database: '', schema: '', table: '', type, nullable: true, collation: null } as const;
  switch (type) {
    case 'fixed':
      return { ...base, precision: 38, scale: scaleOf(rows, i), length: null, byteLength: null };
    case 'text':
    case 'binary':
      return { ...base, precision: null, scale: null, length: MAX_TEXT, byteLength: MAX_TEXT };
    case 'time':
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz':
      return { ...base, precision: 0, scale: 9, length: null, byteLength: null };
    default:
      return { ...base, precision: null, scale: null, length: null, byteLength: null };
  }
}

/** A NUMBER column's scale: the most fractional digits among its values (recpipe's results keep values, not declared scales). */
function scaleOf(rows: readonly unknown[][], i: number): number {
  let scale = 0;
  for (const row of rows) {
    const text = numberText(row[i]);
    const dot = text === null ? -1 : text.indexOf('.');
    if (dot >= 0) scale = Math.max(scale, text!.length - dot - 1);
  }
  return Math.min(scale, 37);
}

function numberText(v: unknown): string | null {
  if (typeof v === 'number') return Number.isInteger(v) ? null : plainNumber(v);
  if (typeof v === 'string' && /^-?\d+\.\d+$/.test(v)) return v;
  return null;
}

/** Decimal text without exponent (`1e-7` → `0.0000001`), as Snowflake sends NUMBER. */
function plainNumber(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return Math.abs(n) >= 1
    ? BigInt(Math.round(n)).toString()
    : n.toFixed(Math.min(100, 1 - Math.floor(Math.log10(Math.abs(n))) + 15)).replace(/0+$/, '');
}

function decimalText(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) && Number.isSafeInteger(v) ? String(v) : plainNumber(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

function realText(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === 'inf' || v === '+inf') return 'Infinity';
  if (v === '-inf') return '-Infinity';
  return String(v);
}

function jsonText(v: unknown): string {
  return JSON.stringify(v, null, 2);
}

/** `2024-03-01` (or a timestamp's date part) → days since 1970-01-01. */
function dateDays(v: unknown): string {
  const m = /^(-?\d{1,6})-(\d\d)-(\d\d)/.exec(String(v));
  if (!m) return String(v);
  return String(Math.floor(utcMillis(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0) / DAY_MS));
}

/** `12:34:56.789` → seconds since midnight with nine fractional digits. */
function timeOfDay(v: unknown): string {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?/.exec(String(v));
  if (!m) return String(v);
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return `${seconds}.${(m[4] ?? '').padEnd(9, '0')}`;
}

const TIMESTAMP = /^(-?\d{1,6})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?\s*(?:(Z)|([+-])(\d\d)(?::?(\d\d))?)?$/;

/**
 * An ISO timestamp (`2000-07-30T18:45:03.25`, optionally `+02:00`) as Snowflake's "seconds.nanoseconds"
 * since the epoch in UTC, and its offset in minutes.
 */
function epochText(text: string): { text: string; offsetMinutes: number } {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return { text, offsetMinutes: 0 };
  const offsetMinutes = m[9] === undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0));
  const local = utcMillis(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const seconds = Math.floor(local / 1000) - offsetMinutes * 60;
  return { text: `${seconds}.${(m[7] ?? '').padEnd(9, '0')}`, offsetMinutes };
}

const FRACTION = /^\.\d{1,9}$/;

/** Two ASCII digits at `at` as a number, NaN when they are not digits. */
function twoDigits(t: string, at: number): number {
  const a = t.charCodeAt(at) - 48;
  const b = t.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/**
 * An encoder of the engine's own form, `YYYY-MM-DDTHH:MM:SS[.fraction]` (years 1000–9999, no offset),
 * without the general pattern, null for anything else: large results are mostly this, and rows in
 * order share their date, so the date's seconds are kept from one value to the next.
 */
function plainTimestamps(): (t: string) => string | null {
  let lastDate = '';
  let lastDaySeconds = 0;
  return (t) => {
    if (t.length < 19 || t.charCodeAt(4) !== 45 || t.charCodeAt(10) !== 84 || t.charCodeAt(0) === 48) return null;
    if (t.length > 19 && !FRACTION.test(t.slice(19))) return null;
    if (lastDate === '' || !t.startsWith(lastDate)) {
      const ms = Date.UTC(+t.slice(0, 4), +t.slice(5, 7) - 1, +t.slice(8, 10));
      if (Number.isNaN(ms)) return null;
      lastDate = t.slice(0, 11);
      lastDaySeconds = ms / 1000;
    }
    const seconds = lastDaySeconds + twoDigits(t, 11) * 3600 + twoDigits(t, 14) * 60 + twoDigits(t, 17);
    if (Number.isNaN(seconds)) return null;
    return t.length === 19 ? `${seconds}.000000000` : `${seconds}.${t.slice(20).padEnd(9, '0')}`;
  };
}

function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC reads years 0–99 as 1900–1999.
  if (y >= 0 && y < 100) date.setUTCFullYear(y, mo - 1, d);
  return date.getTime();
}
