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
} from '@duckdb/node-api';

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
  if (
    value instanceof DuckDBTimestampValue ||
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
