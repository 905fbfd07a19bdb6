import type { SecurableObject } from '../../access/index.js';
import { RecpipeError } from '../../core/errors.js';
import { displayName, quoteTableName, type TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import type { StreamDefinition, StreamStore } from '../streams.js';
import { splitStatements } from '../tokens.js';
import { canSee, checkObjectPrivileges, requireCreate, requireOwnership } from './privileges.js';
import { defaultScope, inScope, parseScope } from './show.js';

/**
 * CREATE [OR REPLACE] STREAM [IF NOT EXISTS] s ON TABLE t [APPEND_ONLY = TRUE|FALSE]
 * [SHOW_INITIAL_ROWS = TRUE|FALSE] [COMMENT = '…']; DROP STREAM [IF EXISTS] s;
 * SHOW [TERSE] STREAMS [LIKE '…'] [IN …]; DESCRIBE STREAM s. Null when the statement is not about streams.
 */
export function streamStatement(ctx: ExecContext): Promise<StatementResult> | null {
  const p = new Parser(ctx.statement);
  if (p.acceptWords('CREATE')) {
    const orReplace = p.acceptWords('OR', 'REPLACE');
    return p.acceptWords('STREAM') ? createStream(ctx, p, orReplace) : null;
  }
  if (p.acceptWords('DROP', 'STREAM')) return dropStream(ctx, p);
  if (p.acceptWords('SHOW', 'STREAMS') || p.acceptWords('SHOW', 'TERSE', 'STREAMS')) return showStreams(ctx, p);
  if (p.acceptWords('DESCRIBE', 'STREAM') || p.acceptWords('DESC', 'STREAM')) {
    const def = visibleStream(ctx, streamName(ctx, p));
    p.expectEnd();
    return streamRows(ctx, [def]);
  }
  return null;
}

function store(ctx: ExecContext): StreamStore {
  if (!ctx.streams) throw new RecpipeError('FAILED_PRECONDITION', 'streams are not available in this recpipe context');
  return ctx.streams;
}

const streamName = (ctx: ExecContext, p: Parser): TableName => resolveTableName(p.objectName(3, 'stream name'), ctx.session, 'STREAM');

export const streamObject = (s: TableName): SecurableObject => ({ kind: 'STREAM', name: displayName([s.database, s.schema, s.name]) });

/** The stream's owner role: GRANT OWNERSHIP's record, else the role that created it. */
const streamOwner = (ctx: ExecContext, def: StreamDefinition): string => ctx.access.ownerOf(streamObject(def)) ?? def.owner;

/** The stream, when the session's role owns it or holds a privilege on it (else, as in Snowflake, it does not exist). */
function visibleStream(ctx: ExecContext, name: TableName): StreamDefinition {
  const def = store(ctx).get(name);
  if (!def || !canSee(ctx, streamObject(def), streamOwner(ctx, def)))
    throw compilation('NOT_FOUND', `Stream '${displayName([name.database, name.schema, name.name])}' does not exist or not authorized.`);
  return def;
}

/** The stream, when the session's role owns it (replacing or dropping it). */
function owned(ctx: ExecContext, name: TableName): StreamDefinition {
  const def = visibleStream(ctx, name);
  requireOwnership(ctx, streamObject(def), def.owner, 'stream');
  return def;
}

/**
 * A stream the session's role may read: it owns it or holds SELECT on it (the statement reading it is
 * checked for SELECT on the base table as well, as Snowflake asks for both).
 */
export function readableStream(ctx: ExecContext, name: TableName): StreamDefinition {
  const shown = visibleStream(ctx, name);
  const held = ctx.access.privilegesOn(ctx.session.role, streamObject(shown));
  if (ctx.access.roleHasAny(ctx.session.role, [streamOwner(ctx, shown)]) || ['SELECT', 'ALL', 'OWNERSHIP'].some((p) => held.has(p)))
    return shown;
  throw new RecpipeError(
    'PERMISSION_DENIED',
    `SQL access control error: Insufficient privileges to operate on stream '${shown.name}' (SELECT is needed; current role ${ctx.session.role})`,
  );
}

async function createStream(ctx: ExecContext, p: Parser, orReplace: boolean): Promise<StatementResult> {
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  if (orReplace && ifNotExists) throw compilation('INVALID_ARGUMENT', 'OR REPLACE and IF NOT EXISTS are incompatible.');
  const name = streamName(ctx, p);
  requireCreate(ctx, [name.database, name.schema, name.name], 'STREAM');
  const copyGrants = p.acceptWords('COPY', 'GRANTS');
  p.expectWords('ON', 'TABLE');
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'CREATE STREAM');
  const opts = p.options();
  p.expectEnd();
  const flag = (option: string): boolean => {
    const v = opts.get(option) ?? false;
    if (typeof v !== 'boolean')
      throw compilation('INVALID_ARGUMENT', `invalid value ${JSON.stringify(v)} for property '${option}'; expected TRUE or FALSE`);
    opts.delete(option);
    return v;
  };
  const appendOnly = flag('APPEND_ONLY');
  const showInitialRows = flag('SHOW_INITIAL_ROWS');
  const comment = opts.get('COMMENT') ?? null;
  opts.delete('COMMENT');
  if (comment !== null && typeof comment !== 'string')
    throw compilation('INVALID_ARGUMENT', "COMMENT must be a string such as 'new ratings'");
  const unknown = [...opts.keys()];
  if (unknown.length > 0)
    throw compilation(
      'INVALID_ARGUMENT',
      `invalid property '${unknown[0]}' for CREATE STREAM; known: APPEND_ONLY, SHOW_INITIAL_ROWS, COMMENT`,
    );
  if (!ctx.catalog.database(name.database)) throw compilation('NOT_FOUND', `Database '${name.database}' does not exist or not authorized.`);
  const existing = store(ctx).get(name);
  if (existing && ifNotExists) return statusResult(ctx.statement, `${name.name} already exists, statement succeeded.`);
  if (existing) owned(ctx, name);
  // A replaced stream's grants go with it, as CREATE OR REPLACE without COPY GRANTS does in Snowflake.
  if (existing && !copyGrants) await ctx.access.objectDropped(streamObject(existing));
  // Creating a stream needs SELECT on its table: the same check a query of the table gets.
  const [probe] = splitStatements(`SELECT 1 FROM ${quoteTableName(table)}`);
  await checkObjectPrivileges({
    ...ctx,
    statement: { ...probe, index: ctx.statement.index, line: ctx.statement.line, offset: ctx.statement.offset },
  });
  await store(ctx).create({ ...name, owner: ctx.session.role, table, appendOnly, showInitialRows, comment }, orReplace);
  return statusResult(ctx.statement, `Stream ${name.name} successfully created.`);
}

async function dropStream(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const name = streamName(ctx, p);
  p.expectEnd();
  if (!store(ctx).get(name) && ifExists)
    return statusResult(ctx.statement, `Drop statement executed successfully (${name.name} already dropped).`);
  const def = owned(ctx, name);
  await store(ctx).drop(def);
  await ctx.access.objectDropped(streamObject(def));
  return statusResult(ctx.statement, `${name.name} successfully dropped.`);
}

const STREAM_COLUMNS = columnsOf(
  'created_on:TIMESTAMP_LTZ',
  'name',
  'database_name',
  'schema_name',
  'owner',
  'comment',
  'table_name',
  'source_type',
  'base_tables',
  'type',
  'stale',
  'mode',
  'stale_after:TIMESTAMP_LTZ',
  'invalid_reason',
  'owner_role_type',
);

async function streamRows(ctx: ExecContext, defs: readonly StreamDefinition[]): Promise<StatementResult> {
  const rows: unknown[][] = [];
  for (const d of defs) {
    const stale = await store(ctx).stale(d);
    const table = displayName([d.table.database, d.table.schema, d.table.name]);
    rows.push([
      d.createdOn,
      d.name,
      d.database,
      d.schema,
      streamOwner(ctx, d),
      d.comment ?? '',
      table,
      'Table',
      table,
      'DELTA',
      String(stale),
      d.appendOnly ? 'APPEND_ONLY' : 'DEFAULT',
      null,
      stale ? 'base table dropped' : 'N/A',
      'ROLE',
    ]);
  }
  return queryResult(ctx.statement, STREAM_COLUMNS, rows);
}

async function showStreams(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const like = p.acceptWords('LIKE') ? p.string('LIKE pattern') : null;
  const scope = p.acceptWords('IN') ? await parseScope(ctx, p) : defaultScope(ctx, 'STREAMS');
  p.expectEnd();
  const matches = likeMatcher(like);
  const visible = store(ctx)
    .list()
    .filter((d) => matches(d.name) && inScope(scope, d) && canSee(ctx, streamObject(d), streamOwner(ctx, d)));
  return streamRows(ctx, visible);
}
