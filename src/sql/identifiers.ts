import { RecpipeError, invalid } from '../core/errors.js';
import { checkIdentifier, displayName, type TableName } from '../warehouse/index.js';
import { tokenize, type Token } from './tokens.js';

/**
 * Snowflake's identifier rules, in one place: an unquoted name is stored upper-case, a quoted
 * name exactly as written; names have one to three parts (object, schema.object,
 * database.schema.object) and resolve against the session's current database and schema.
 * Emitting a name as SQL goes through the warehouse's `quoteIdent`.
 */

/** The system database (catalog, load history); its name is reserved and its tables read-only. */
export const SYSTEM_DATABASE = 'RECPIPE';
export const DEFAULT_SCHEMA = 'PUBLIC';

export interface NameContext {
  readonly database: string | null;
  readonly schema: string | null;
}

/** The identifier a token names, or null when the token is not an identifier. */
export function identifierOf(t: Token | undefined): string | null {
  if (!t) return null;
  if (t.kind === 'word') return t.value;
  if (t.kind === 'quoted') return checkIdentifier(t.value);
  return null;
}

/** Parses `db.schema.name`, `"Quoted".name` … from text (as SQL functions receive table names). */
export function parseObjectName(text: string): string[] {
  const tokens = tokenize(text);
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const id = identifierOf(tokens[i]);
    const dot = tokens[i + 1];
    const dotOk = dot === undefined || (dot.kind === 'punct' && dot.value === '.' && i + 2 < tokens.length);
    if (id === null || !dotOk) break;
    parts.push(id);
    if (dot === undefined && parts.length <= 3) return parts;
  }
  throw invalid(`SQL compilation error: invalid object name '${text}': expected name, schema.name or database.schema.name`);
}

/** Resolves a 1-3 part table name against the session (Snowflake's rules; `RECPIPE.X` is the system catalog's X). */
export function resolveTableName(parts: readonly string[], ctx: NameContext, action = 'SELECT'): TableName {
  if (parts.length === 3) return { database: parts[0], schema: parts[1], name: parts[2] };
  if (parts.length === 2) {
    if (parts[0] === SYSTEM_DATABASE) return { database: SYSTEM_DATABASE, schema: DEFAULT_SCHEMA, name: parts[1] };
    return { database: requireDatabase(ctx, action), schema: parts[0], name: parts[1] };
  }
  const database = requireDatabase(ctx, action);
  if (ctx.schema === null) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `SQL compilation error: Cannot perform ${action}. This session does not have a current schema. Call 'USE SCHEMA', or use a qualified name.`,
    );
  }
  return { database, schema: ctx.schema, name: parts[0] };
}

/** Resolves `schema` or `db.schema`. */
export function resolveSchemaName(parts: readonly string[], ctx: NameContext, action: string): { database: string; schema: string } {
  if (parts.length === 2) return { database: parts[0], schema: parts[1] };
  if (parts.length === 1) return { database: requireDatabase(ctx, action), schema: parts[0] };
  throw invalid(`SQL compilation error: invalid schema name '${displayName(parts)}': expected schema or database.schema`);
}

function requireDatabase(ctx: NameContext, action: string): string {
  if (ctx.database === null) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `SQL compilation error: Cannot perform ${action}. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.`,
    );
  }
  return ctx.database;
}

export function tableDisplayName(t: TableName): string {
  return displayName([t.database, t.schema, t.name]);
}

/**
 * Database names also name files under the home, so they are limited to characters that are
 * safe in a file name on every platform.
 */
export function checkDatabaseName(name: string): string {
  if (!/^[A-Za-z0-9_$-]+$/.test(name)) {
    throw invalid(
      `SQL compilation error: database name '${name}' is not supported: recpipe database names use letters, digits, '_', '$' and '-'`,
    );
  }
  if (name.toUpperCase() === SYSTEM_DATABASE)
    throw invalid(`SQL compilation error: database name '${name}' is reserved for recpipe's system catalog`);
  return name;
}
