import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  type DuckDBValue,
} from './duckdb-api.js';

/** DuckDB's name for a column type; JSON is a VARCHAR with an alias and must keep that name. */
export function typeText(type: DuckDBType): string {
  return type.alias ?? type.toString();
}

/**
 * A DuckDB value as JSON-safe data: bigints become numbers when exactly representable (else
 * decimal strings), decimals likewise, timestamps ISO 8601 text (`2000-07-30T18:45:03`), blobs hex,
 * lists arrays and structs objects. `json` marks a JSON column, whose text is parsed.
 */
export function toJsonSafe(value: DuckDBValue, json = false): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return json ? parseJsonText(value) : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'boolean':
      return value;
  }
  return objectToJsonSafe(value);
}

function objectToJsonSafe(value: Exclude<DuckDBValue, null | string | number | bigint | boolean>): unknown {
  if (value instanceof DuckDBDecimalValue) return decimalToJsonSafe(value);
  if (value instanceof DuckDBTimestampValue) return timestampText(value.micros) ?? value.toString().replace(' ', 'T');
  if (
    value instanceof DuckDBTimestampSecondsValue ||
    value instanceof DuckDBTimestampMillisecondsValue ||
    value instanceof DuckDBTimestampNanosecondsValue
  ) {
    return value.toString().replace(' ', 'T');
  }
  if (value instanceof DuckDBTimestampTZValue)
    return value
      .toString()
      .replace(' ', 'T')
      .replace(/([+-]\d\d)$/, '$1:00');
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map((v) => toJsonSafe(v));
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, toJsonSafe(v)]));
  }
  if (value instanceof DuckDBMapValue) {
    return Object.fromEntries(value.entries.map((e) => [String(toJsonSafe(e.key)), toJsonSafe(e.value)]));
  }
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('hex').toUpperCase();
  return value.toString();
}

const MICROS_PER_DAY = 86_400_000_000;
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
/** The date text of the last day seen: a column of timestamps mostly repeats its days. */
let lastDay = Number.NaN;
let lastDate = '';

/**
 * DuckDB's own text of a TIMESTAMP (`2000-07-30T18:45:03.25`, its fraction without trailing zeros)
 * worked out in doubles, for the years of four digits within ±285 years of 1970 (where microseconds
 * are exact in a double); null for others. The library's conversion does BigInt arithmetic and was
 * most of the cost of serving a large result of timestamps.
 */
export function timestampText(micros: bigint): string | null {
  const us = Number(micros);
  if (!Number.isSafeInteger(us)) return null;
  const day = Math.floor(us / MICROS_PER_DAY);
  if (day !== lastDay) {
    const date = new Date(day * 86_400_000);
    const year = date.getUTCFullYear();
    if (year < 1000 || year > 9999) return null;
    lastDate = date.toISOString().slice(0, 10);
    lastDay = day;
  }
  const inDay = us - day * MICROS_PER_DAY;
  const fraction = inDay % 1_000_000;
  const seconds = (inDay - fraction) / 1_000_000;
  const text = `${lastDate}T${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return fraction === 0 ? text : `${text}.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
}

function decimalToJsonSafe(value: DuckDBDecimalValue): number | string {
  const text = value.toString();
  const n = Number(text);
  // Up to 15 significant digits survive a round trip through a double.
  return text.replace(/[-.]/g, '').replace(/^0+/, '').length <= 15 ? n : text;
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
