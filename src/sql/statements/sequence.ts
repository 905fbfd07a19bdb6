import type { SecurableObject } from '../../access/index.js';
import { displayName, quoteTableName, stringLiteral, type TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing, snowflakeError } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { requireUserDatabase } from './database.js';
import { canSeeSchema, defaultScope, parseScope, type Scope } from './show.js';
import { canSee, requireCreate, requireOwnership } from './privileges.js';

/**
 * Snowflake sequences, kept as DuckDB sequences of the same name (so `seq.nextval`, translated to
 * `nextval('…')`, and column defaults use DuckDB's own counter). AUTOINCREMENT / IDENTITY columns
 * use hidden sequences named with HIDDEN_PREFIX, which SHOW SEQUENCES leaves out.
 */
export const HIDDEN_PREFIX = '$AUTOINCREMENT$';

/** CREATE / DROP / SHOW / DESCRIBE of sequences; null for other statements. */
export function sequenceStatement(ctx: ExecContext): Promise<StatementResult> | null {
  const words = ctx.statement.tokens.filter((t) => t.kind === 'word').map((t) => t.value);
  const [verb] = words;
  const kindAt = verb === 'CREATE' ? words.slice(1, 4).indexOf('SEQUENCE') + 1 : 1;
  const kind = kindAt > 0 ? words[kindAt] : undefined;
  if (verb === 'SHOW' && kind === 'SEQUENCES') return showSequences(ctx);
  if (kind !== 'SEQUENCE') return null;
  if (verb === 'CREATE') return createSequence(ctx);
  if (verb === 'DROP') return dropSequence(ctx);
  if (verb === 'ALTER') return alterSequence(ctx);
  if (verb === 'DESCRIBE' || verb === 'DESC') return describeSequence(ctx);
  return null;
}

export interface SequenceSpec {
  readonly start: number;
  readonly increment: number;
}

/** `[START [WITH] [=] n] [INCREMENT [BY] [=] n] [ORDER | NOORDER]`, in either order; Snowflake's defaults are 1 and 1. */
export function parseSequenceSpec(p: Parser): SequenceSpec {
  let start = 1;
  let increment = 1;
  for (;;) {
    if (p.acceptWords('START')) {
      p.acceptWords('WITH') || p.acceptPunct('=');
      start = integer(p);
    } else if (p.acceptWords('INCREMENT')) {
      p.acceptWords('BY') || p.acceptPunct('=');
      increment = integer(p);
      if (increment === 0) throw compilation('INVALID_ARGUMENT', 'a sequence INCREMENT must not be 0');
    } else if (!p.acceptOneOf(['ORDER', 'NOORDER'])) {
      return { start, increment };
    }
  }
}

function integer(p: Parser): number {
  const v = p.value();
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return p.failAt(p.position - 1, 'an integer');
  return v;
}

/** DuckDB's sequence options for a Snowflake sequence: the full BIGINT range, whatever the sign of the step. */
export function sequenceOptions(spec: SequenceSpec): string {
  return `START WITH ${spec.start} INCREMENT BY ${spec.increment} MINVALUE -9223372036854775808 MAXVALUE 9223372036854775807`;
}

/** CREATE [OR REPLACE] SEQUENCE [IF NOT EXISTS] name [WITH] [START …] [INCREMENT …] [ORDER|NOORDER] [COMMENT = '…']. */
async function createSequence(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('CREATE');
  const orReplace = p.acceptWords('OR', 'REPLACE');
  p.expectWords('SEQUENCE');
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  if (orReplace && ifNotExists) throw compilation('INVALID_ARGUMENT', 'OR REPLACE and IF NOT EXISTS are incompatible.');
  const name = target(ctx, p, 'CREATE SEQUENCE');
  requireCreate(ctx, [name.database, name.schema, name.name], 'SEQUENCE');
  p.acceptWords('WITH');
  const spec = parseSequenceSpec(p);
  const comment = p.acceptWords('COMMENT') ? (p.acceptPunct('='), p.string('comment')) : null;
  p.expectEnd();
  if (ifNotExists && (await sequenceRows(ctx, name)).length > 0) {
    return statusResult(ctx.statement, `${name.name} already exists, statement succeeded.`);
  }
  const existing = await findSequence(ctx, name);
  if (existing && orReplace) requireOwnership(ctx, existing.object, existing.owner, 'sequence');
  const verb = `CREATE ${orReplace ? 'OR REPLACE ' : ''}SEQUENCE ${quoteTableName(name)}`;
  await run(ctx, `${verb} ${sequenceOptions(spec)}`, name);
  if (comment !== null) await run(ctx, `COMMENT ON SEQUENCE ${quoteTableName(name)} IS ${stringLiteral(comment)}`, name);
  // The creating role owns it; a replaced sequence's grants go with it.
  await ctx.access.objectDropped(sequenceObject(name));
  await ctx.access.recordOwnership(sequenceObject(name), ctx.session.role);
  return statusResult(ctx.statement, `Sequence ${name.name} successfully created.`);
}

/** DROP SEQUENCE [IF EXISTS] name [CASCADE | RESTRICT]. */
async function dropSequence(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('DROP', 'SEQUENCE');
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const name = target(ctx, p, 'DROP SEQUENCE');
  p.acceptOneOf(['CASCADE', 'RESTRICT']);
  p.expectEnd();
  const found = await findSequence(ctx, name);
  if (!found) {
    if (ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${name.name} already dropped).`);
    throw objectMissing('Sequence', [name.database, name.schema, name.name]);
  }
  requireOwnership(ctx, found.object, found.owner, 'sequence');
  try {
    await ctx.conn.run(`DROP SEQUENCE ${quoteTableName(name)}`);
  } catch (e) {
    // DuckDB keeps column defaults tied to their sequence; Snowflake would leave the default failing later.
    if (/depend/i.test(String(e)))
      throw compilation(
        'FAILED_PRECONDITION',
        `Sequence ${name.name} is the default of a table column; drop or alter that column's default first.`,
      );
    throw snowflakeError(e, [{ table: name, write: true }]);
  }
  await ctx.access.objectDropped(found.object);
  return statusResult(ctx.statement, `${name.name} successfully dropped.`);
}

/**
 * ALTER SEQUENCE [IF EXISTS] name SET [INCREMENT [BY] [=] n] [COMMENT = '…'] | UNSET COMMENT: its
 * owner's. A new increment takes effect from the next value, as in Snowflake (DuckDB cannot change
 * a sequence's step, so it is recreated at its next value).
 */
async function alterSequence(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('ALTER', 'SEQUENCE');
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const name = target(ctx, p, 'ALTER SEQUENCE');
  const found = await findSequence(ctx, name);
  if (!found) {
    if (ifExists) return statusResult(ctx.statement, 'Statement executed successfully.');
    throw objectMissing('Sequence', [name.database, name.schema, name.name]);
  }
  requireOwnership(ctx, found.object, found.owner, 'sequence');
  const quoted = quoteTableName(name);
  if (p.acceptWords('UNSET', 'COMMENT')) {
    p.expectEnd();
    await run(ctx, `COMMENT ON SEQUENCE ${quoted} IS NULL`, name);
    return statusResult(ctx.statement, 'Statement executed successfully.');
  }
  p.expectWords('SET');
  let increment: number | null = null;
  let comment: string | null = null;
  for (;;) {
    if (p.acceptWords('INCREMENT')) {
      p.acceptWords('BY') || p.acceptPunct('=');
      increment = integer(p);
      if (increment === 0) throw compilation('INVALID_ARGUMENT', 'a sequence INCREMENT must not be 0');
    } else if (p.acceptWords('COMMENT')) {
      p.acceptPunct('=');
      comment = p.string('comment');
    } else break;
  }
  p.expectEnd();
  if (increment === null && comment === null) p.fail("INCREMENT = n or COMMENT = '…'");
  const [row] = found.rows;
  if (increment !== null) {
    try {
      await ctx.conn.run(`CREATE OR REPLACE SEQUENCE ${quoted} ${sequenceOptions({ start: Number(row[4]), increment })}`);
    } catch (e) {
      if (/depend/i.test(String(e)))
        throw compilation('FAILED_PRECONDITION', `Sequence ${name.name} is the default of a table column; its increment cannot change.`);
      throw snowflakeError(e, [{ table: name, write: true }]);
    }
  }
  const kept = comment ?? (increment !== null ? (row[8] as string | null) : null);
  if (kept !== null && kept !== '') await run(ctx, `COMMENT ON SEQUENCE ${quoted} IS ${stringLiteral(kept)}`, name);
  return statusResult(ctx.statement, 'Statement executed successfully.');
}

export const sequenceObject = (t: TableName): SecurableObject => ({ kind: 'SEQUENCE', name: displayName([t.database, t.schema, t.name]) });

/**
 * A sequence the session may know of, with its owner (sequences made before recpipe recorded owners
 * belong to their database's owner), or null when it does not exist.
 */
export async function findSequence(
  ctx: ExecContext,
  name: TableName,
): Promise<{ object: SecurableObject; owner: string | null; rows: unknown[][] } | null> {
  const db = ctx.catalog.database(name.database);
  if (!db) return null;
  const rows = await sequenceRows(ctx, { ...name, database: db.name });
  if (rows.length === 0) return null;
  const object = sequenceObject({ database: db.name, schema: String(rows[0][2]), name: String(rows[0][1]) });
  return { object, owner: ctx.access.ownerOf(object) ?? db.owner, rows };
}

/**
 * `nextval` of a sequence needs USAGE on it (or owning it), as in Snowflake; a sequence the role holds
 * nothing on does not exist for it.
 */
export async function requireSequenceUsage(ctx: ExecContext, name: TableName): Promise<void> {
  const found = await findSequence(ctx, name);
  if (!found) return; // DuckDB reports the missing sequence
  const role = ctx.session.role;
  if (found.owner !== null && ctx.access.roleHasAny(role, [found.owner])) return;
  const held = ctx.access.privilegesOn(role, found.object);
  if (['USAGE', 'ALL', 'OWNERSHIP'].some((p) => held.has(p))) return;
  if (held.size === 0) throw objectMissing('Sequence', [name.database, name.schema, name.name]);
  throw compilation('PERMISSION_DENIED', `Insufficient privileges to operate on sequence '${name.name}' (USAGE is needed)`);
}

const SHOW_COLUMNS = columnsOf(
  'created_on:TIMESTAMP_LTZ',
  'name',
  'schema_name',
  'database_name',
  'next_value:NUMBER',
  'interval:NUMBER',
  'owner',
  'owner_role_type',
  'comment',
  'ordered',
);

/** SHOW SEQUENCES [LIKE '…'] [IN ACCOUNT | DATABASE [db] | SCHEMA [s]]. */
async function showSequences(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('SHOW');
  p.acceptWords('TERSE');
  p.expectWords('SEQUENCES');
  const like = likeMatcher(p.acceptWords('LIKE') ? p.string('LIKE pattern') : null);
  const scope: Scope = p.acceptWords('IN') ? await parseScope(ctx, p) : defaultScope(ctx, 'SEQUENCES');
  p.expectEnd();
  const rows = (await sequenceRows(ctx, scope)).filter((r) => like(String(r[1])) && visible(ctx, r));
  return queryResult(
    ctx.statement,
    SHOW_COLUMNS,
    rows.map((r) => withOwner(ctx, r)),
  );
}

/** DESCRIBE SEQUENCE name: SHOW SEQUENCES' row for it. */
async function describeSequence(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectOneOf(['DESCRIBE', 'DESC']);
  p.expectWords('SEQUENCE');
  const name = target(ctx, p, 'DESCRIBE SEQUENCE');
  p.expectEnd();
  const rows = (await sequenceRows(ctx, name)).filter((r) => visible(ctx, r));
  if (rows.length === 0) throw objectMissing('Sequence', [name.database, name.schema, name.name]);
  return queryResult(
    ctx.statement,
    SHOW_COLUMNS,
    rows.map((r) => withOwner(ctx, r)),
  );
}

const rowObject = (r: unknown[]): SecurableObject => sequenceObject({ database: String(r[3]), schema: String(r[2]), name: String(r[1]) });
const rowOwner = (ctx: ExecContext, r: unknown[]): string | null =>
  ctx.access.ownerOf(rowObject(r)) ?? ctx.catalog.database(String(r[3]))?.owner ?? null;

/** Snowflake lists a sequence to the roles that own it or hold a privilege on it (and USAGE on its schema). */
function visible(ctx: ExecContext, r: unknown[]): boolean {
  return canSeeSchema(ctx, String(r[3]), String(r[2])) && canSee(ctx, rowObject(r), rowOwner(ctx, r));
}

function withOwner(ctx: ExecContext, r: unknown[]): unknown[] {
  const owner = rowOwner(ctx, r);
  return [...r.slice(0, 6), owner ?? '', owner === null ? '' : 'ROLE', ...r.slice(8)];
}

function target(ctx: ExecContext, p: Parser, action: string): TableName {
  const name = resolveTableName(p.objectName(3, 'sequence name'), ctx.session, action);
  return { ...name, database: requireUserDatabase(ctx, name.database) };
}

/** SHOW SEQUENCES rows of a scope (a whole database, a schema) or of one sequence. */
async function sequenceRows(ctx: ExecContext, where: Scope | TableName): Promise<unknown[][]> {
  const databases = where.database ? [where.database] : ctx.catalog.listDatabases().map((d) => d.name);
  const conds = ['database_name = ?', 'starts_with(sequence_name, ?) = false'];
  const params: string[] = [HIDDEN_PREFIX];
  if (where.schema) conds.push('schema_name = ?');
  if ('name' in where) conds.push('sequence_name = ?');
  const rows: unknown[][] = [];
  for (const db of databases) {
    const r = await ctx.conn.run(
      `SELECT NULL, sequence_name, schema_name, database_name,
         CASE WHEN last_value IS NULL THEN start_value ELSE last_value + increment_by END, increment_by,
         NULL, NULL, comment, 'N'
       FROM duckdb_sequences() WHERE ${conds.join(' AND ')} ORDER BY schema_name, sequence_name`,
      [db, ...params, ...(where.schema ? [where.schema] : []), ...('name' in where ? [where.name] : [])],
    );
    rows.push(...r.rows);
  }
  return rows;
}

async function run(ctx: ExecContext, sql: string, name: TableName): Promise<void> {
  try {
    await ctx.conn.run(sql);
  } catch (e) {
    throw snowflakeError(e, [{ table: name, write: true }]);
  }
}
