import { invalid } from '../core/errors.js';
import type { Token } from './tokens.js';
import { pastClosingParen } from './tokens.js';

/**
 * Snowflake data types and their DuckDB storage. Snowflake's integers are NUMBER(38,0) and its
 * floats are all 64-bit, so every integer type is stored as BIGINT (values beyond ±9.2e18 are not
 * supported) and every float as DOUBLE; semi-structured types are stored as JSON text.
 */
const SIMPLE: Record<string, string> = {
  INT: 'BIGINT',
  INTEGER: 'BIGINT',
  BIGINT: 'BIGINT',
  SMALLINT: 'BIGINT',
  TINYINT: 'BIGINT',
  BYTEINT: 'BIGINT',
  FLOAT: 'DOUBLE',
  FLOAT4: 'DOUBLE',
  FLOAT8: 'DOUBLE',
  DOUBLE: 'DOUBLE',
  REAL: 'DOUBLE',
  VARCHAR: 'VARCHAR',
  STRING: 'VARCHAR',
  TEXT: 'VARCHAR',
  CHAR: 'VARCHAR',
  CHARACTER: 'VARCHAR',
  NCHAR: 'VARCHAR',
  NVARCHAR: 'VARCHAR',
  NVARCHAR2: 'VARCHAR',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIME: 'TIME',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP: 'TIMESTAMP',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  TIMESTAMP_TZ: 'TIMESTAMPTZ',
  TIMESTAMPNTZ: 'TIMESTAMP',
  TIMESTAMPLTZ: 'TIMESTAMPTZ',
  TIMESTAMPTZ: 'TIMESTAMPTZ',
  JSON: 'JSON',
  VARIANT: 'JSON',
  OBJECT: 'JSON',
  ARRAY: 'JSON',
  BINARY: 'BLOB',
  VARBINARY: 'BLOB',
};
const DECIMALS = new Set(['NUMBER', 'DECIMAL', 'NUMERIC', 'DEC']);
const SUPPORTED = [...DECIMALS, ...Object.keys(SIMPLE)].join(', ');

export interface ParsedType {
  /** DuckDB type text. */
  readonly duckdb: string;
  /** The type as Snowflake records it (VARCHAR(20), NUMBER(38,0), TIMESTAMP_NTZ(9) …), for metadata. */
  readonly declared: string;
  /** Index of the first token after the type. */
  readonly next: number;
}

/**
 * Reads a Snowflake type at `tokens[i]` (`NUMBER(10,2)`, `VARCHAR(100)`, `DOUBLE PRECISION`,
 * `TIMESTAMP_NTZ(9)`, `CHAR VARYING` …) and returns its DuckDB form.
 */
export function parseType(tokens: readonly Token[], i: number): ParsedType {
  const t = tokens[i];
  if (t?.kind !== 'word') throw invalid(`SQL compilation error: expected a data type, found ${t ? `'${t.value}'` : 'end of statement'}`);
  let next = i + 1;
  const word = (k: number): string | undefined => (tokens[k]?.kind === 'word' ? tokens[k].value : undefined);
  if (t.value === 'DOUBLE' && word(next) === 'PRECISION') next++;
  if ((t.value === 'CHAR' || t.value === 'NCHAR' || t.value === 'CHARACTER') && word(next) === 'VARYING') next++;
  // Structured ARRAY(type) / OBJECT(name type, …) are stored as JSON like their plain forms.
  if ((t.value === 'ARRAY' || t.value === 'OBJECT') && tokens[next]?.value === '(') {
    return { duckdb: 'JSON', declared: t.value, next: pastClosingParen(tokens, next) };
  }
  const { args, after } = typeArguments(tokens, next);
  next = after;
  if (DECIMALS.has(t.value)) {
    const [precision = 38, scale = 0] = args;
    return { duckdb: decimalType(args), declared: `NUMBER(${precision},${scale})`, next };
  }
  const mapped = SIMPLE[t.value];
  if (!mapped) throw invalid(`SQL compilation error: Unsupported data type '${t.value}'. Supported types: ${SUPPORTED}`);
  return { duckdb: mapped, declared: declaredType(t.value, mapped, args), next };
}

const MAX_TEXT = 16777216;

/** Snowflake's record of a non-decimal type: integers are NUMBER(38,0), text keeps its length, times their precision. */
function declaredType(word: string, duckdb: string, args: readonly number[]): string {
  if (duckdb === 'BIGINT') return 'NUMBER(38,0)';
  if (duckdb === 'VARCHAR') return `VARCHAR(${args[0] ?? (word === 'CHAR' || word === 'CHARACTER' || word === 'NCHAR' ? 1 : MAX_TEXT)})`;
  if (duckdb === 'BLOB') return `BINARY(${args[0] ?? 8388608})`;
  if (duckdb === 'TIMESTAMP' || duckdb === 'TIMESTAMPTZ' || duckdb === 'TIME') {
    const base =
      duckdb === 'TIME'
        ? 'TIME'
        : word === 'TIMESTAMP_LTZ' || word === 'TIMESTAMPLTZ'
          ? 'TIMESTAMP_LTZ'
          : duckdb === 'TIMESTAMPTZ'
            ? 'TIMESTAMP_TZ'
            : 'TIMESTAMP_NTZ';
    return `${base}(${args[0] ?? 9})`;
  }
  if (duckdb === 'JSON') return word === 'ARRAY' || word === 'OBJECT' ? word : 'VARIANT';
  return snowflakeTypeDetail(duckdb);
}

/**
 * The type to show for a column: what its CREATE declared when that still fits the stored type
 * (a later ALTER or a rolled-back DDL can leave a stale record), else what the storage type implies.
 */
export function shownType(duckdb: string, declared: string | undefined): string {
  const stored = snowflakeTypeDetail(duckdb);
  if (declared === undefined) return stored;
  const family = (t: string): string => {
    const base = t.replace(/\(.*$/, '');
    return base === 'ARRAY' || base === 'OBJECT' ? 'VARIANT' : base.replace(/^TIMESTAMP_LTZ$/, 'TIMESTAMP_TZ');
  };
  if (family(declared) !== family(stored)) return stored;
  if (stored.startsWith('NUMBER(') && /,0\)$/.test(declared) !== /,0\)$/.test(stored)) return stored;
  return declared;
}

function typeArguments(tokens: readonly Token[], i: number): { args: number[]; after: number } {
  if (!(tokens[i]?.kind === 'punct' && tokens[i].value === '(')) return { args: [], after: i };
  const args: number[] = [];
  let k = i + 1;
  for (;;) {
    const t = tokens[k];
    if (t?.kind !== 'number')
      throw invalid(`SQL compilation error: expected a number in type arguments, found ${t ? `'${t.value}'` : 'end of statement'}`);
    args.push(Number(t.value));
    const sep = tokens[k + 1];
    if (sep?.kind === 'punct' && sep.value === ')') return { args, after: k + 2 };
    if (!(sep?.kind === 'punct' && sep.value === ',')) throw invalid(`SQL compilation error: expected ',' or ')' in type arguments`);
    k += 2;
  }
}

function decimalType(args: number[]): string {
  const [precision = 38, scale = 0] = args;
  if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    throw invalid(`SQL compilation error: invalid NUMBER(${precision},${scale}): precision must be 1-38 and scale 0-precision`);
  }
  return scale === 0 ? 'BIGINT' : `DECIMAL(${precision},${scale})`;
}

/** The Snowflake type name of a DuckDB result column (NUMBER, FLOAT, VARCHAR, VARIANT …). */
export function snowflakeTypeName(duckdb: string): string {
  return snowflakeType(duckdb).name;
}

/** The Snowflake type as DESCRIBE TABLE shows it (NUMBER(38,0), VARCHAR(16777216), TIMESTAMP_NTZ(9) …). */
export function snowflakeTypeDetail(duckdb: string): string {
  return snowflakeType(duckdb).detail;
}

function snowflakeType(duckdb: string): { name: string; detail: string } {
  const t = duckdb.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t))
    return { name: 'NUMBER', detail: 'NUMBER(38,0)' };
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return { name: 'NUMBER', detail: `NUMBER(${dec[1]},${dec[2]})` };
  if (t === 'DOUBLE' || t === 'FLOAT') return { name: 'FLOAT', detail: 'FLOAT' };
  if (t === 'VARCHAR' || t === 'UUID' || t === 'INTERVAL') return { name: 'VARCHAR', detail: 'VARCHAR(16777216)' };
  if (t === 'JSON') return { name: 'VARIANT', detail: 'VARIANT' };
  if (t === 'BOOLEAN' || t === 'DATE') return { name: t, detail: t };
  if (t === 'TIME') return { name: 'TIME', detail: 'TIME(9)' };
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(t)) return { name: 'TIMESTAMP_NTZ', detail: 'TIMESTAMP_NTZ(9)' };
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return { name: 'TIMESTAMP_TZ', detail: 'TIMESTAMP_TZ(9)' };
  if (t === 'BLOB') return { name: 'BINARY', detail: 'BINARY(8388608)' };
  if (t.endsWith('[]') || t.startsWith('LIST') || /\[\d+\]$/.test(t)) return { name: 'ARRAY', detail: 'ARRAY' };
  if (t.startsWith('STRUCT') || t.startsWith('MAP')) return { name: 'OBJECT', detail: 'OBJECT' };
  return { name: t, detail: t };
}
