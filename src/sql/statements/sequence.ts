import { quoteTableName, stringLiteral, type TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing, snowflakeError } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { requireUserDatabase } from './database.js';
import { canSeeSchema, defaultScope, parseScope, type Scope } from './show.js';
import { requireCreate } from './privileges.js';

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
  const verb = `CREATE ${orReplace ? 'OR REPLACE ' : ''}SEQUENCE ${quoteTableName(name)}`;
  await run(ctx, `${verb} ${sequenceOptions(spec)}`, name);
  if (comment !== null) await run(ctx, `COMMENT ON SEQUENCE ${quoteTableName(name)} IS ${stringLiteral(comment)}`, name);
  return statusResult(ctx.statement, `Sequence ${name.name} successfully created.`);
}

/** DROP SEQUENCE [IF EXISTS] name [CASCADE | RESTRICT]. */
async function dropSequence(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('DROP', 'SEQUENCE');
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const name = target(ctx, p, 'DROP SEQUENCE');
  // Sequences have no recorded owner yet: dropping one takes what creating one takes.
  requireCreate(ctx, [name.database, name.schema, name.name], 'SEQUENCE');
  p.acceptOneOf(['CASCADE', 'RESTRICT']);
  p.expectEnd();
  if ((await sequenceRows(ctx, name)).length === 0) {
    if (ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${name.name} already dropped).`);
    throw objectMissing('Sequence', [name.database, name.schema, name.name]);
  }
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
  return statusResult(ctx.statement, `${name.name} successfully dropped.`);
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
  // Sequences are seen with their schema (they have no recorded owner yet).
  const rows = (await sequenceRows(ctx, scope)).filter((r) => like(String(r[1])) && canSeeSchema(ctx, String(r[3]), String(r[2])));
  return queryResult(ctx.statement, SHOW_COLUMNS, rows);
}

/** DESCRIBE SEQUENCE name: SHOW SEQUENCES' row for it. */
async function describeSequence(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectOneOf(['DESCRIBE', 'DESC']);
  p.expectWords('SEQUENCE');
  const name = target(ctx, p, 'DESCRIBE SEQUENCE');
  p.expectEnd();
  const rows = await sequenceRows(ctx, name);
  if (rows.length === 0) throw objectMissing('Sequence', [name.database, name.schema, name.name]);
  return queryResult(ctx.statement, SHOW_COLUMNS, rows);
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
