import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecpipeError } from '../../core/errors.js';
import type { CsvFileOutcome, OnError, TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { parseObjectName, resolveTableName } from '../identifiers.js';
import { type OptionValue, type Options, Parser } from '../parser.js';
import { columnsOf, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { readStageRef, stageFiles } from '../stage-paths.js';
import { requireUserDatabase } from './database.js';
import { requireTablePrivileges } from './privileges.js';
import { resolveStage, type ResolvedStage } from './stage.js';
import { unreadableText } from './copy-prescan.js';
import { csvOptions, formatOptions, type FormatOptions } from './file-format.js';

const COPY_OPTIONS = ['FILE_FORMAT', 'ON_ERROR', 'FORCE', 'PATTERN', 'FILES', 'PURGE', 'RETURN_FAILED_ONLY'];
const RESULT_COLUMNS = columnsOf(
  'file',
  'status',
  'rows_parsed:NUMBER',
  'rows_loaded:NUMBER',
  'error_limit:NUMBER',
  'errors_seen:NUMBER',
  'first_error',
  'first_error_line:NUMBER',
  'first_error_character:NUMBER',
  'first_error_column_name',
);

/**
 * COPY INTO table [(col, …)] FROM 'file:///path' | '/path' [FILES = (…)] [PATTERN = '…']
 *   [FILE_FORMAT = (FORMAT_NAME = name | TYPE = CSV …)] [ON_ERROR = …] [FORCE = TRUE|FALSE]
 *   [RETURN_FAILED_ONLY = TRUE|FALSE] [PURGE = FALSE]
 * A directory source loads its files (recursively, sorted). Without FORCE, files this table
 * already loaded (same path, size and modification time) are skipped, as Snowflake's load
 * metadata does. Every file's outcome is written to RECPIPE.PUBLIC.LOAD_HISTORY.
 */
export async function copyInto(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('COPY', 'INTO');
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'COPY');
  const database = requireUserDatabase(ctx, table.database);
  // As an INSERT: the role needs INSERT on the target (the stage's READ or the owner's path is checked below).
  requireTablePrivileges(ctx, [database, table.schema, table.name], ['INSERT']);
  const columns = p.acceptPunct('(') ? columnList(p) : undefined;
  p.expectWords('FROM');
  const stageRef = readStageRef(p, ctx.statement);
  const stage = stageRef === null ? null : await resolveStage(ctx, stageRef);
  const source = stageRef === null ? ownerPath(ctx, sourcePath(p)) : null;
  const opts = p.options();
  const bareForce = p.acceptWords('FORCE');
  p.expectEnd();
  for (const key of opts.keys()) {
    if (!COPY_OPTIONS.includes(key))
      throw compilation('INVALID_ARGUMENT', `invalid COPY option '${key}'; supported: ${COPY_OPTIONS.join(', ')}`);
  }
  if (opts.has('PURGE') && opts.get('PURGE') !== false)
    throw compilation('INVALID_ARGUMENT', 'PURGE = TRUE is not supported: recpipe never deletes source files');
  const target: TableName = { ...table, database };
  if ((await ctx.warehouse.tableColumns(target)) === null) throw objectMissing('Table', [database, table.schema, table.name]);
  const format = await fileFormat(ctx, opts.get('FILE_FORMAT'), stage?.fileFormat ?? undefined);
  const onError = parseOnError(opts.get('ON_ERROR'));
  const force = bareForce || opts.get('FORCE') === true;
  const listed = stage !== null ? stageSource(stage, stageRef!.path, opts) : listFiles(source!, opts);
  const files = await filesToLoad(ctx, target, listed, force);
  if (files.length === 0) return statusResult(ctx.statement, 'Copy executed with 0 files processed.');
  const refused = await refusedFiles(files);
  if (onError.kind === 'abort' && refused.length > 0) {
    await record(ctx, target, refused[0], files.find((f) => f.path === refused[0].file)!, 1);
    throw abortError(target, refused[0]);
  }
  const loadable = files.filter((f) => !refused.some((o) => o.file === f.path)).map((f) => f.path);
  const loaded =
    loadable.length === 0
      ? []
      : await ctx.warehouse.loadCsv({ table: target, columns, files: loadable, options: csvOptions(format), onError });
  const outcomes = [...loaded, ...refused].sort(
    (a, b) => files.findIndex((f) => f.path === a.file) - files.findIndex((f) => f.path === b.file),
  );
  const failed = onError.kind === 'abort' && outcomes.some((o) => o.errorsSeen > 0);
  // An aborted COPY loaded nothing; only the file that stopped it has something to record.
  for (const o of failed ? outcomes.slice(-1) : outcomes)
    await record(ctx, target, o, files.find((f) => f.path === o.file)!, errorLimit(onError, o));
  if (failed) throw abortError(target, outcomes[outcomes.length - 1]);
  const shown = opts.get('RETURN_FAILED_ONLY') === true ? outcomes.filter((o) => o.status !== 'LOADED') : outcomes;
  return queryResult(
    ctx.statement,
    RESULT_COLUMNS,
    shown.map((o) => resultRow(target, o, errorLimit(onError, o))),
  );
}

/**
 * After a statement succeeded: TRUNCATE TABLE, DROP TABLE and CREATE [OR REPLACE] TABLE (without
 * IF NOT EXISTS) leave the table with no load history, as in Snowflake, so re-running the guide's
 * `create or replace table` + COPY INTO loads the files again. The history lives in the system
 * database, which a user transaction cannot also write, so a rolled-back TRUNCATE still forgets.
 */
export async function forgetLoadsOnReset(ctx: ExecContext): Promise<void> {
  const parts = resetTable(new Parser(ctx.statement));
  if (!parts) return;
  const table = resolveTableName(parts, ctx.session, 'TRUNCATE');
  if (ctx.catalog.database(table.database)) await ctx.catalog.forgetLoads(table);
}

function resetTable(p: Parser): string[] | null {
  if (p.acceptWords('TRUNCATE')) {
    p.acceptWords('TABLE');
    p.acceptWords('IF', 'EXISTS');
  } else if (p.acceptWords('DROP')) {
    if (!p.acceptWords('TABLE')) return null;
    p.acceptWords('IF', 'EXISTS');
  } else if (p.acceptWords('CREATE')) {
    p.acceptWords('OR', 'REPLACE');
    p.acceptWords('TRANSIENT');
    if (!p.acceptWords('TABLE') || p.acceptWords('IF', 'NOT', 'EXISTS')) return null;
  } else {
    return null;
  }
  return p.objectName(3, 'table name');
}

/** Files that cannot be read as delimited text at all (binary, a line over the maximum size): never handed to DuckDB, each LOAD_FAILED. */
async function refusedFiles(files: readonly SourceFile[]): Promise<CsvFileOutcome[]> {
  const refused: CsvFileOutcome[] = [];
  for (const f of files) {
    const error = await unreadableText(f.path);
    if (error) refused.push({ file: f.path, status: 'LOAD_FAILED', rowsParsed: 0, rowsLoaded: 0, errorsSeen: 1, firstError: error });
  }
  return refused;
}

function columnList(p: Parser): string[] {
  const names: string[] = [];
  do names.push(p.identifier('column name'));
  while (p.acceptPunct(','));
  p.expectPunct(')');
  return names;
}

/** file:///abs/path or /abs/path; stages and cloud URLs are not available here. */
function sourcePath(p: Parser): string {
  const t = p.peek();
  const shown = t ? `'${t.value}'` : '(none)';
  const unsupported = (what: string): RecpipeError =>
    compilation(
      'INVALID_ARGUMENT',
      `unsupported COPY source ${what}: recpipe loads from a stage (@stage[/path], @~[/path]) or, for the home's owner, 'file:///absolute/path' or '/absolute/path' (a file or a directory); supported schemes: file://`,
    );
  if (t?.kind !== 'string') throw unsupported(shown);
  const text = p.string();
  let path = text;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    if (!text.startsWith('file://')) throw unsupported(`'${text}'`);
    try {
      path = fileURLToPath(text);
    } catch {
      throw unsupported(`'${text}'`);
    }
  }
  if (!isAbsolute(path)) throw unsupported(`'${text}' (not an absolute path)`);
  return path;
}

/**
 * A path of the host is the home owner's to load (the CLI on the home, or the owner token); everyone
 * else loads through stages, which an administrator opened on purpose.
 */
function ownerPath(ctx: ExecContext, path: string): string {
  if (ctx.session.user !== undefined) {
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `SQL access control error: only the home's owner may COPY from a host path ('file://${path}'); load through a stage: copy into t from @stage_name (a stage is made with create stage … url = 'file:///dir/' by ACCOUNTADMIN) or @~ after PUT`,
    );
  }
  return path;
}

/** The stage's files under `path`, filtered by FILES and PATTERN (both relative to the stage path given). */
function stageSource(stage: ResolvedStage, path: string, opts: Options): SourceFile[] {
  const pattern = opts.get('PATTERN');
  const only = opts.get('FILES');
  const re = typeof pattern === 'string' ? new RegExp(`^(?:${pattern})$`) : null;
  const base = path.replace(/\/+$/, '');
  const wanted = Array.isArray(only) ? new Set(only.map((f) => (base === '' ? String(f) : `${base}/${String(f)}`))) : null;
  return stageFiles(stage.root, path, stage.shown, (f) => (re ? re.test(f) : true) && (wanted ? wanted.has(f) : true)).map((f) => ({
    path: f.path,
    size: f.size,
    modified: f.modified,
  }));
}

interface SourceFile {
  readonly path: string;
  readonly size: number;
  readonly modified: Date;
}

function listFiles(source: string, opts: Options): SourceFile[] {
  let st;
  try {
    st = statSync(source);
  } catch {
    throw new RecpipeError('NOT_FOUND', `Remote file 'file://${source}' was not found. There are no files at this location.`);
  }
  if (st.isFile()) return [{ path: source, size: st.size, modified: st.mtime }];
  const pattern = opts.get('PATTERN');
  const only = opts.get('FILES');
  const re = typeof pattern === 'string' ? new RegExp(`^(?:${pattern})$`) : null;
  const wanted = Array.isArray(only) ? new Set(only.map(String)) : null;
  const paths = (readdirSync(source, { recursive: true }) as string[]).map((f) => join(source, f)).sort();
  return paths
    .filter((path) => statSync(path).isFile())
    .filter((path) => (re ? re.test(path) : true) && (wanted ? wanted.has(relative(source, path)) : true))
    .map((path) => {
      const s = statSync(path);
      return { path, size: s.size, modified: s.mtime };
    });
}

async function filesToLoad(ctx: ExecContext, table: TableName, files: SourceFile[], force: boolean): Promise<SourceFile[]> {
  if (force) return files;
  const fresh: SourceFile[] = [];
  for (const f of files) if (!(await ctx.catalog.wasLoaded(table, f.path, f.size, f.modified))) fresh.push(f);
  return fresh;
}

/** FILE_FORMAT = (FORMAT_NAME = name) looks the format up in the session's schema; inline options start from Snowflake's defaults (or the stage's format). */
async function fileFormat(ctx: ExecContext, v: OptionValue | undefined, stageFormat?: FormatOptions): Promise<FormatOptions> {
  if (v === undefined) return stageFormat ?? formatOptions(new Map());
  if (!(v instanceof Map)) throw compilation('INVALID_ARGUMENT', `FILE_FORMAT must be ( FORMAT_NAME = name ) or ( TYPE = CSV … )`);
  const name = v.get('FORMAT_NAME');
  if (name === undefined) return formatOptions(v);
  if (typeof name !== 'string') throw compilation('INVALID_ARGUMENT', `FORMAT_NAME must be a file format name`);
  const t = resolveTableName(parseObjectName(name), ctx.session, 'COPY');
  const f = await ctx.catalog.fileFormat(t.database, t.schema, t.name);
  if (!f) throw objectMissing('File format', [t.database, t.schema, t.name]);
  return formatOptions(new Map([...v].filter(([k]) => k !== 'FORMAT_NAME')), f.options as FormatOptions);
}

function parseOnError(v: OptionValue | undefined): OnError {
  if (v === undefined) return { kind: 'abort' };
  const s = String(v).toUpperCase();
  if (s === 'ABORT_STATEMENT') return { kind: 'abort' };
  if (s === 'CONTINUE') return { kind: 'continue' };
  if (s === 'SKIP_FILE') return { kind: 'skip-file', limit: 1, percent: false };
  const m = /^SKIP_FILE_(\d+)(%?)$/.exec(s);
  if (m && Number(m[1]) > 0) return { kind: 'skip-file', limit: Number(m[1]), percent: m[2] === '%' };
  throw compilation(
    'INVALID_ARGUMENT',
    `invalid value '${String(v)}' for ON_ERROR; one of ABORT_STATEMENT, CONTINUE, SKIP_FILE, SKIP_FILE_<n>, 'SKIP_FILE_<n>%'`,
  );
}

function errorLimit(onError: OnError, o: CsvFileOutcome): number {
  if (onError.kind === 'continue') return o.rowsParsed;
  if (onError.kind === 'skip-file') return onError.percent ? Math.max(1, Math.ceil((onError.limit * o.rowsParsed) / 100)) : onError.limit;
  return 1;
}

/** Snowflake names the failing column as "TABLE"["COLUMN":position]. */
function columnName(table: TableName, o: CsvFileOutcome): string | null {
  const e = o.firstError;
  if (!e || e.columnName === null) return null;
  return `"${table.name}"["${e.columnName}":${e.columnPosition ?? '?'}]`;
}

function resultRow(table: TableName, o: CsvFileOutcome, limit: number): unknown[] {
  const e = o.firstError;
  return [
    o.file,
    o.status,
    o.rowsParsed,
    o.rowsLoaded,
    limit,
    o.errorsSeen,
    e?.message ?? null,
    e?.line ?? null,
    e?.character ?? null,
    columnName(table, o),
  ];
}

async function record(ctx: ExecContext, table: TableName, o: CsvFileOutcome, file: SourceFile, limit: number): Promise<void> {
  await ctx.catalog.recordLoad({
    database: table.database,
    schema: table.schema,
    table: table.name,
    file: o.file,
    fileSize: file.size,
    fileModified: file.modified,
    status: o.status,
    rowCount: o.rowsLoaded,
    rowParsed: o.rowsParsed,
    firstErrorMessage: o.firstError?.message ?? null,
    firstErrorLine: o.firstError?.line ?? null,
    firstErrorCharacter: o.firstError?.character ?? null,
    firstErrorColumn: columnName(table, o),
    errorCount: o.errorsSeen,
    errorLimit: limit,
  });
}

/** ON_ERROR = ABORT_STATEMENT fails the statement with the first error, as Snowflake does; nothing was loaded. */
function abortError(table: TableName, o: CsvFileOutcome): RecpipeError {
  const e = o.firstError!;
  const column = columnName(table, o);
  const lines = [
    e.message,
    `  File '${o.file}', line ${e.line}, character ${e.character}`,
    ...(column ? [`  Column ${column}`] : []),
    `  Nothing was loaded. If you would like to continue loading when an error is encountered, use other values such as 'SKIP_FILE' or 'CONTINUE' for the ON_ERROR option.`,
  ];
  return new RecpipeError('INVALID_ARGUMENT', lines.join('\n'), { file: o.file, line: e.line, character: e.character, column });
}
