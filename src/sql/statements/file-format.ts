import type { CsvOptions } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import type { OptionValue, Options, Parser } from '../parser.js';
import { columnsOf, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { requireUserDatabase, type CreateHead } from './database.js';

/** A CSV file format as recorded: Snowflake's option names with normalised values. */
export type FormatOptions = Record<string, string | number | boolean | string[]>;

/** Snowflake's CSV defaults (NULL_IF = ('\N'), no enclosure, header not skipped). */
const DEFAULTS: FormatOptions = {
  TYPE: 'CSV',
  COMPRESSION: 'AUTO',
  RECORD_DELIMITER: '\n',
  FIELD_DELIMITER: ',',
  SKIP_HEADER: 0,
  FIELD_OPTIONALLY_ENCLOSED_BY: 'NONE',
  ESCAPE: 'NONE',
  ESCAPE_UNENCLOSED_FIELD: '\\',
  NULL_IF: ['\\N'],
  EMPTY_FIELD_AS_NULL: true,
  ERROR_ON_COLUMN_COUNT_MISMATCH: true,
  ENCODING: 'UTF8',
  DATE_FORMAT: 'AUTO',
  TIME_FORMAT: 'AUTO',
  TIMESTAMP_FORMAT: 'AUTO',
  TRIM_SPACE: false,
  SKIP_BLANK_LINES: false,
  PARSE_HEADER: false,
};

/** Values recpipe can honour, per option; anything else is refused rather than silently ignored. */
const ALLOWED: Record<string, (v: OptionValue) => boolean> = {
  TYPE: (v) => v === 'CSV',
  COMPRESSION: (v) => ['AUTO', 'GZIP', 'NONE'].includes(String(v).toUpperCase()),
  RECORD_DELIMITER: (v) => v === '\n' || v === '\r\n',
  FIELD_DELIMITER: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 4,
  SKIP_HEADER: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0,
  FIELD_OPTIONALLY_ENCLOSED_BY: (v) => v === '"' || v === "'" || v === 'NONE',
  ESCAPE: (v) => v === 'NONE' || (typeof v === 'string' && v.length === 1),
  ESCAPE_UNENCLOSED_FIELD: (v) => v === 'NONE' || v === '\\',
  NULL_IF: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  EMPTY_FIELD_AS_NULL: (v) => typeof v === 'boolean',
  ERROR_ON_COLUMN_COUNT_MISMATCH: (v) => typeof v === 'boolean',
  ENCODING: (v) => ['UTF8', 'UTF-8'].includes(String(v).toUpperCase()),
  DATE_FORMAT: (v) => v === 'AUTO',
  TIME_FORMAT: (v) => v === 'AUTO',
  TIMESTAMP_FORMAT: (v) => v === 'AUTO',
  TRIM_SPACE: (v) => v === false,
  SKIP_BLANK_LINES: (v) => typeof v === 'boolean',
  PARSE_HEADER: (v) => v === false,
};

/** Normalises and checks `TYPE = CSV SKIP_HEADER = 1 …` (from CREATE FILE FORMAT or an inline COPY format). */
export function formatOptions(opts: Options, base: FormatOptions = DEFAULTS): FormatOptions {
  const out: FormatOptions = { ...base };
  for (const [key, raw] of opts) {
    if (key === 'FORMAT_NAME' || key === 'COMMENT') continue;
    const v = key === 'NULL_IF' && !Array.isArray(raw) ? [raw] : raw;
    if (key === 'TYPE' && v !== 'CSV')
      throw compilation('INVALID_ARGUMENT', `file format type ${String(v)} is not supported; supported types: CSV`);
    const ok = ALLOWED[key];
    if (!ok) throw compilation('INVALID_ARGUMENT', `invalid file format option '${key}'; supported: ${Object.keys(ALLOWED).join(', ')}`);
    if (!ok(v)) throw compilation('INVALID_ARGUMENT', `value ${JSON.stringify(v)} is not supported for file format option ${key}`);
    out[key] = v as string | number | boolean | string[];
  }
  return out;
}

/** The warehouse's CSV reader options for a recorded format. */
export function csvOptions(f: FormatOptions): CsvOptions {
  const enclosed = f.FIELD_OPTIONALLY_ENCLOSED_BY === 'NONE' ? '' : String(f.FIELD_OPTIONALLY_ENCLOSED_BY);
  return {
    skipHeader: Number(f.SKIP_HEADER),
    delimiter: String(f.FIELD_DELIMITER),
    quote: enclosed,
    escape: f.ESCAPE === 'NONE' ? enclosed : String(f.ESCAPE),
    nullIf: (f.NULL_IF as string[]) ?? [],
    emptyFieldAsNull: f.EMPTY_FIELD_AS_NULL === true,
    errorOnColumnCountMismatch: f.ERROR_ON_COLUMN_COUNT_MISMATCH !== false,
    compression: String(f.COMPRESSION).toLowerCase() as CsvOptions['compression'],
  };
}

/** CREATE [OR REPLACE] FILE FORMAT [IF NOT EXISTS] name [TYPE = CSV] option = value …  (a schema-level object). */
export async function createFileFormat(ctx: ExecContext, p: Parser, head: CreateHead): Promise<StatementResult> {
  const t = resolveTableName(p.objectName(3, 'file format name'), ctx.session, 'CREATE FILE FORMAT');
  const opts = p.options();
  p.expectEnd();
  const database = requireUserDatabase(ctx, t.database);
  const existing = await ctx.catalog.fileFormat(database, t.schema, t.name);
  if (existing && head.ifNotExists) return statusResult(ctx.statement, `${existing.name} already exists, statement succeeded.`);
  if (existing && !head.orReplace) throw compilation('CONFLICT', `Object '${existing.name}' already exists.`);
  const schema = (await ctx.warehouse.listSchemas(database)).find((s) => s.toUpperCase() === t.schema.toUpperCase());
  if (!schema) throw objectMissing('Schema', [database, t.schema]);
  const options = formatOptions(opts);
  const comment = opts.get('COMMENT');
  await ctx.catalog.putFileFormat(
    {
      database,
      schema,
      name: t.name,
      type: 'CSV',
      options,
      owner: ctx.session.role,
      comment: typeof comment === 'string' ? comment : null,
    },
    existing !== undefined,
  );
  return statusResult(ctx.statement, `File format ${t.name} successfully created.`);
}

export async function dropFileFormat(ctx: ExecContext, p: Parser, ifExists: boolean): Promise<StatementResult> {
  const t = resolveTableName(p.objectName(3, 'file format name'), ctx.session, 'DROP FILE FORMAT');
  p.expectEnd();
  const existing = await ctx.catalog.fileFormat(t.database, t.schema, t.name);
  if (!existing && ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${t.name} already dropped).`);
  if (!existing) throw objectMissing('File format', [t.database, t.schema, t.name]);
  await ctx.catalog.removeFileFormat(existing.database, existing.schema, existing.name);
  return statusResult(ctx.statement, `${existing.name} successfully dropped.`);
}

/** DESCRIBE FILE FORMAT name: one row per option, as Snowflake lists them. */
export async function describeFileFormat(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const t = resolveTableName(p.objectName(3, 'file format name'), ctx.session, 'DESCRIBE FILE FORMAT');
  p.expectEnd();
  const f = await ctx.catalog.fileFormat(t.database, t.schema, t.name);
  if (!f) throw objectMissing('File format', [t.database, t.schema, t.name]);
  const rows = Object.entries(f.options).map(([k, v]) => [k, propertyType(v), show(v), show(DEFAULTS[k])]);
  return queryResult(ctx.statement, columnsOf('property', 'property_type', 'property_value', 'property_default'), rows);
}

function propertyType(v: unknown): string {
  if (Array.isArray(v)) return 'List';
  if (typeof v === 'number') return 'Integer';
  if (typeof v === 'boolean') return 'Boolean';
  return 'String';
}

export function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return v === undefined ? '' : String(v);
}
