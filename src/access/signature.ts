import { invalid } from '../core/errors.js';

/**
 * Snowflake names a function by its name and argument types: `INVOKE_MODEL(VARCHAR, VARCHAR, VARCHAR)`.
 * Type synonyms compare equal (STRING = TEXT = VARCHAR(100) = VARCHAR; INT = NUMBER(38,0) = NUMBER).
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  VARCHAR: 'VARCHAR',
  STRING: 'VARCHAR',
  TEXT: 'VARCHAR',
  CHAR: 'VARCHAR',
  CHARACTER: 'VARCHAR',
  NVARCHAR: 'VARCHAR',
  NUMBER: 'NUMBER',
  NUMERIC: 'NUMBER',
  DECIMAL: 'NUMBER',
  INT: 'NUMBER',
  INTEGER: 'NUMBER',
  BIGINT: 'NUMBER',
  SMALLINT: 'NUMBER',
  TINYINT: 'NUMBER',
  BYTEINT: 'NUMBER',
  FLOAT: 'FLOAT',
  FLOAT4: 'FLOAT',
  FLOAT8: 'FLOAT',
  DOUBLE: 'FLOAT',
  REAL: 'FLOAT',
  'DOUBLE PRECISION': 'FLOAT',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIME: 'TIME',
  TIMESTAMP: 'TIMESTAMP_NTZ',
  TIMESTAMP_NTZ: 'TIMESTAMP_NTZ',
  TIMESTAMP_LTZ: 'TIMESTAMP_LTZ',
  TIMESTAMP_TZ: 'TIMESTAMP_TZ',
  VARIANT: 'VARIANT',
  OBJECT: 'OBJECT',
  ARRAY: 'ARRAY',
  BINARY: 'BINARY',
  GEOGRAPHY: 'GEOGRAPHY',
};

/** The canonical name of a Snowflake type (size and precision dropped, as signatures ignore them). */
export function canonicalType(text: string): string {
  const base = text
    .trim()
    .toUpperCase()
    .replace(/\s*\(.*\)$/, '')
    .replace(/\s+/g, ' ');
  const t = SYNONYMS[base];
  if (!t)
    throw invalid(
      `SQL compilation error: unknown argument type '${text}' in a function signature; known: ${[...new Set(Object.values(SYNONYMS))].join(', ')}`,
    );
  return t;
}

export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly string[];
}

export const signatureText = (s: FunctionSignature): string => `${s.name}(${s.argTypes.join(', ')})`;

/** Parses a stored `NAME(T1, T2)` back. */
export function parseSignatureText(text: string): FunctionSignature {
  const m = /^(.+)\((.*)\)$/.exec(text);
  if (!m) throw invalid(`malformed function signature '${text}' in the access catalog`);
  return { name: m[1], argTypes: m[2] === '' ? [] : m[2].split(', ') };
}
