import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalid, notFound } from '../core/errors.js';
import { objectNameSql } from './identifiers.js';

/** Snowflake's ON_ERROR choices for COPY (without the SKIP_FILE_<n> variants). */
export const ON_ERROR_CHOICES = ['continue', 'skip_file', 'abort_statement'] as const;

export interface CopyRequest {
  table: string;
  file: string;
  fileFormat: string;
  onError?: string;
  /** Load files this table already loaded (Snowflake skips them by default). */
  force?: boolean;
  /** Directory a relative `file` is resolved against. */
  cwd: string;
}

/**
 * `copy into TABLE from 'file:///abs/path' file_format = (format_name = 'NAME') [on_error = …] [force = true]` — the
 * guide's "Load Data" button as one statement. Names are validated identifiers (the format name in
 * Snowflake's string form, which may be qualified); the path must be an existing file, becomes a
 * file URL (so `%`, `#`, `?` in it survive) and a string literal with quotes doubled (COPY takes no bindings).
 */
export function copyIntoStatement(req: CopyRequest): string {
  const table = objectNameSql(req.table, 'table name');
  const format = objectNameSql(req.fileFormat, 'file format name');
  const path = existingFile(resolve(req.cwd, req.file));
  const onError = req.onError === undefined ? '' : ` on_error = ${onErrorSql(req.onError)}`;
  const force = req.force ? ' force = true' : '';
  return `copy into ${table} from ${stringLiteral(pathToFileURL(path).href)} file_format = (format_name = ${stringLiteral(format)})${onError}${force}`;
}

function existingFile(path: string): string {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw notFound(`file ${path} does not exist`, { path });
  }
  if (!isFile) throw invalid(`${path} is not a regular file`, { path });
  return path;
}

function onErrorSql(value: string): string {
  const v = value.toLowerCase();
  if (!(ON_ERROR_CHOICES as readonly string[]).includes(v)) {
    throw invalid(`--on-error must be one of ${ON_ERROR_CHOICES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return v.toUpperCase();
}

/** A single-quoted SQL string: quotes doubled; backslashes doubled too, since Snowflake strings treat `\` as an escape. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
