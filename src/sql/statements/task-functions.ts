import type { SqlParam } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import { parseObjectName, resolveTableName } from '../identifiers.js';
import { splitStatements, type Token } from '../tokens.js';
import { displayName } from '../../warehouse/index.js';
import { canSeeTask } from './task.js';

const HISTORY = '"RECPIPE"."PUBLIC"."TASK_HISTORY"';
const TASKS = '"RECPIPE"."PUBLIC"."TASKS"';

const HISTORY_COLUMNS =
  'QUERY_ID, NAME, DATABASE_NAME, SCHEMA_NAME, QUERY_TEXT, CONDITION_TEXT, STATE, ERROR_CODE, ERROR_MESSAGE, SCHEDULED_TIME, QUERY_START_TIME, ' +
  'NEXT_SCHEDULED_TIME, COMPLETED_TIME, ROOT_TASK_ID, GRAPH_VERSION, RUN_ID, RETURN_VALUE, SCHEDULED_FROM, ATTEMPT_NUMBER, CONFIG';

/** Snowflake's positional order of each function's arguments. */
const SIGNATURES: Readonly<Record<string, readonly string[]>> = {
  TASK_HISTORY: ['SCHEDULED_TIME_RANGE_START', 'SCHEDULED_TIME_RANGE_END', 'RESULT_LIMIT', 'TASK_NAME', 'ERROR_ONLY', 'ROOT_TASK_ID'],
  TASK_DEPENDENTS: ['TASK_NAME', 'RECURSIVE'],
};

interface Call {
  readonly fn: 'TASK_HISTORY' | 'TASK_DEPENDENTS';
  readonly database: string | null;
  /** Index of the TABLE token and of the closing ')' of TABLE( … ). */
  readonly first: number;
  readonly last: number;
  readonly args: ReadonlyMap<string, { text: string; tokens: readonly Token[] }>;
}

/**
 * `TABLE([db.]INFORMATION_SCHEMA.TASK_HISTORY(…))` and `TASK_DEPENDENTS(…)` in a query become
 * subqueries over the system catalog's TASK_HISTORY and TASKS tables, with Snowflake's columns.
 * Returns the context with the rewritten statement (and the values it binds), or null when the
 * statement calls neither. This is the one place that knows where these functions appear in a
 * query; an AST-based translator can call the same builders.
 */
export function taskTableFunctions(ctx: ExecContext): ExecContext | null {
  const { tokens, text } = ctx.statement;
  let out = '';
  let copied = 0;
  const params: SqlParam[] = [...ctx.params];
  let inserted = 0;
  for (let i = 0; i < tokens.length; i++) {
    const call = matchCall(tokens, i, text);
    if (!call) continue;
    const { sql, values } = call.fn === 'TASK_HISTORY' ? historyQuery(ctx, call) : dependentsQuery(ctx, call);
    const before = tokens.slice(0, i).filter((t) => t.kind === 'param').length;
    params.splice(before + inserted, 0, ...values);
    inserted += values.length;
    out += text.slice(copied, tokens[i].start) + sql;
    copied = tokens[call.last].end;
    i = call.last;
  }
  if (copied === 0) return null;
  const rewritten = splitStatements(out + text.slice(copied))[0];
  return {
    ...ctx,
    statement: { ...rewritten, index: ctx.statement.index, line: ctx.statement.line, offset: ctx.statement.offset },
    params,
  };
}

const isPunct = (t: Token | undefined, v: string): boolean => t?.kind === 'punct' && t.value === v;

function matchCall(tokens: readonly Token[], i: number, text: string): Call | null {
  if (!(tokens[i].kind === 'word' && tokens[i].value === 'TABLE' && isPunct(tokens[i + 1], '('))) return null;
  let k = i + 2;
  const parts: string[] = [];
  while (tokens[k]?.kind === 'word' || tokens[k]?.kind === 'quoted') {
    parts.push(tokens[k].kind === 'word' ? tokens[k].value : tokens[k].value.toUpperCase());
    if (!isPunct(tokens[k + 1], '.')) break;
    k += 2;
  }
  const fn = parts[parts.length - 1];
  if (
    (fn !== 'TASK_HISTORY' && fn !== 'TASK_DEPENDENTS') ||
    parts[parts.length - 2] !== 'INFORMATION_SCHEMA' ||
    parts.length > 3 ||
    !isPunct(tokens[k + 1], '(')
  )
    return null;
  const database = parts.length === 3 ? (tokens[i + 2].kind === 'word' ? tokens[i + 2].value : tokens[i + 2].value) : null;
  const open = k + 1;
  const close = closing(tokens, open);
  if (!isPunct(tokens[close + 1], ')')) return null;
  return { fn, database, first: i, last: close + 1, args: callArgs(fn, tokens.slice(open + 1, close), text) };
}

function closing(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (isPunct(tokens[k], '(')) depth++;
    if (isPunct(tokens[k], ')') && --depth === 0) return k;
  }
  throw compilation('INVALID_ARGUMENT', 'syntax error: unbalanced parentheses in a TABLE(…) call');
}

/** `name => expr` or positional arguments, split at top-level commas. */
function callArgs(fn: string, tokens: readonly Token[], text: string): Map<string, { text: string; tokens: readonly Token[] }> {
  const args = new Map<string, { text: string; tokens: readonly Token[] }>();
  const pieces: Token[][] = [];
  let depth = 0;
  let piece: Token[] = [];
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) {
      pieces.push(piece);
      piece = [];
    } else piece.push(t);
  }
  if (piece.length > 0) pieces.push(piece);
  const known = SIGNATURES[fn];
  pieces.forEach((p, position) => {
    if (p.some((t) => t.kind === 'param'))
      throw compilation('INVALID_ARGUMENT', `bind parameters are not supported in the arguments of ${fn}; write the values`);
    const named = p[0]?.kind === 'word' && p[1]?.kind === 'op' && p[1].value === '=>';
    const name = named ? p[0].value : known[position];
    if (!name || !known.includes(name))
      throw compilation(
        'INVALID_ARGUMENT',
        `invalid argument ${named ? `'${p[0].value}'` : position + 1} for ${fn}; known: ${known.join(', ')}`,
      );
    const expr = named ? p.slice(2) : p;
    if (expr.length === 0) throw compilation('INVALID_ARGUMENT', `argument ${name} of ${fn} has no value`);
    args.set(name, { text: text.slice(expr[0].start, expr[expr.length - 1].end), tokens: expr });
  });
  return args;
}

function historyQuery(ctx: ExecContext, call: Call): { sql: string; values: SqlParam[] } {
  const database = call.database ?? ctx.session.database;
  if (database === null) {
    throw compilation(
      'FAILED_PRECONDITION',
      `Cannot perform SELECT. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.`,
    );
  }
  const a = (name: string): string | undefined => call.args.get(name)?.text;
  const where = ['upper(DATABASE_NAME) = upper(?)'];
  if (a('SCHEDULED_TIME_RANGE_START')) where.push(`SCHEDULED_TIME >= (${a('SCHEDULED_TIME_RANGE_START')})`);
  if (a('SCHEDULED_TIME_RANGE_END')) where.push(`SCHEDULED_TIME < (${a('SCHEDULED_TIME_RANGE_END')})`);
  if (a('TASK_NAME')) where.push(`upper(NAME) = upper(${a('TASK_NAME')})`);
  if (a('ERROR_ONLY')) where.push(`(NOT (${a('ERROR_ONLY')}) OR STATE = 'FAILED')`);
  if (a('ROOT_TASK_ID')) where.push(`ROOT_TASK_ID = (${a('ROOT_TASK_ID')})`);
  const limit = a('RESULT_LIMIT') ?? '100';
  // Only runs of tasks the role sees (owns, or holds a privilege on), as SHOW TASKS lists; ACCOUNTADMIN sees every run.
  const values: SqlParam[] = [database];
  if (!ctx.access.roleHasAny(ctx.session.role, ['ACCOUNTADMIN'])) {
    const ids = (ctx.tasks?.list() ?? []).filter((t) => canSeeTask(ctx, t)).map((t) => t.id);
    where.push(ids.length === 0 ? 'FALSE' : `TASK_ID IN (${ids.map(() => '?').join(', ')})`);
    values.push(...ids);
  }
  return {
    sql: `(SELECT ${HISTORY_COLUMNS} FROM ${HISTORY} WHERE ${where.join(' AND ')} ORDER BY SCHEDULED_TIME DESC, QUERY_START_TIME DESC NULLS FIRST LIMIT ${limit})`,
    values,
  };
}

function dependentsQuery(ctx: ExecContext, call: Call): { sql: string; values: SqlParam[] } {
  const nameArg = call.args.get('TASK_NAME');
  if (nameArg?.tokens.length !== 1 || nameArg.tokens[0].kind !== 'string')
    throw compilation('INVALID_ARGUMENT', "TASK_DEPENDENTS needs task_name => '<task name>'");
  const recursiveArg = call.args.get('RECURSIVE')?.tokens;
  if (
    recursiveArg &&
    !(recursiveArg.length === 1 && recursiveArg[0].kind === 'word' && ['TRUE', 'FALSE'].includes(recursiveArg[0].value))
  ) {
    throw compilation('INVALID_ARGUMENT', 'RECURSIVE of TASK_DEPENDENTS must be TRUE or FALSE');
  }
  const recursive = recursiveArg?.[0].value !== 'FALSE';
  const parts = parseObjectName(nameArg.tokens[0].value);
  const name = resolveTableName(call.database && parts.length === 2 ? [call.database, ...parts] : parts, ctx.session, 'SELECT');
  const tasks = (ctx.tasks?.list() ?? []).filter((t) => canSeeTask(ctx, t));
  const root = ctx.tasks?.get(name);
  if (!root || !canSeeTask(ctx, root))
    throw compilation('NOT_FOUND', `Task '${displayName([name.database, name.schema, name.name])}' does not exist or not authorized.`);
  const ids = [root.id];
  const labels = [displayName([root.database, root.schema, root.name])];
  for (let k = 0; k < labels.length && (recursive || k === 0); k++) {
    for (const t of tasks) {
      if ((t.predecessors.includes(labels[k]) || t.finalize === labels[k]) && !ids.includes(t.id)) {
        ids.push(t.id);
        labels.push(displayName([t.database, t.schema, t.name]));
      }
    }
  }
  return {
    sql:
      `(SELECT CREATED_ON, NAME, ID, DATABASE_NAME, SCHEMA_NAME, OWNER, COMMENT, WAREHOUSE, SCHEDULE, PREDECESSORS, STATE, DEFINITION, CONDITION ` +
      `FROM ${TASKS} WHERE ID IN (${ids.map(() => '?').join(', ')}))`,
    values: ids,
  };
}
