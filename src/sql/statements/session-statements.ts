import type { ExecContext } from '../context.js';
import { loadDialect, translate } from '../dialect/index.js';
import { compilation } from '../errors.js';
import { Parser } from '../parser.js';
import { EXECUTED, columnsOf, likeMatcher, queryResult, statusResult } from '../results.js';
import { PARAMETERS, checkParameter, parameterValue } from '../session-parameters.js';
import type { SessionVariable, StatementResult } from '../session.js';
import { closingParen } from '../tokens.js';
import { snowflakeTypeName } from '../types.js';
import { runTranslated } from './passthrough.js';
import { requireTablePrivileges } from './privileges.js';
import { commitOpenTransaction } from './transaction-modes.js';

/**
 * The statements that change or show the session itself: SET / UNSET of variables, ALTER SESSION
 * SET / UNSET of parameters, SHOW VARIABLES and SHOW PARAMETERS. Null for any other statement.
 */
export function sessionStatement(ctx: ExecContext): Promise<StatementResult> | null {
  const [first, second] = ctx.statement.tokens;
  if (first.kind !== 'word') return null;
  if (first.value === 'SET') return setVariables(ctx);
  if (first.value === 'UNSET') return unsetVariables(ctx);
  if (first.value === 'ALTER' && second?.value === 'SESSION') return alterSession(ctx);
  if (first.value === 'SHOW' && second?.value === 'VARIABLES') return showVariables(ctx);
  if (first.value === 'SHOW' && second?.value === 'PARAMETERS') return showParameters(ctx);
  return null;
}

/** SET name = expr | SET (a, b, …) = (expr, expr, …): the expressions are evaluated once, now. */
async function setVariables(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('SET');
  const names: string[] = [];
  const list = p.acceptPunct('(');
  do names.push(p.identifier('variable name'));
  while (list && p.acceptPunct(','));
  if (list) p.expectPunct(')');
  p.expectPunct('=');
  const { tokens, text } = ctx.statement;
  let [from, to] = [p.position, tokens.length - 1];
  if (list) {
    if (tokens[from]?.value !== '(' || closingParen(tokens, from) !== to) p.fail('a parenthesised list of expressions');
    [from, to] = [from + 1, to - 1];
  }
  if (from > to) p.fail('an expression');
  await loadDialect();
  const tr = translate(`SELECT ${text.slice(tokens[from].start, tokens[to].end)}`, [], '', ctx.session, 'SET');
  // SET is not a query to the privilege check, but its expression may read tables.
  for (const { table } of tr.refs) requireTablePrivileges(ctx, [table.database, table.schema, table.name], ['SELECT']);
  const r = await runTranslated(ctx, tr);
  if (r.columns.length !== names.length) {
    throw compilation('INVALID_ARGUMENT', `SET assigns ${names.length} variable(s) but ${r.columns.length} value(s) were given`);
  }
  const now = new Date().toISOString();
  const variables = (ctx.session.variables ??= new Map());
  names.forEach((name, i) => {
    const type = snowflakeTypeName(r.columns[i].type);
    const value = r.rows[0]?.[i] ?? null;
    const was = variables.get(name);
    variables.set(name, { value, type, createdOn: was?.createdOn ?? now, updatedOn: now });
  });
  return statusResult(ctx.statement, EXECUTED);
}

/** UNSET name | UNSET (a, b, …): unsetting a variable that does not exist is an error, as in Snowflake. */
async function unsetVariables(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('UNSET');
  const list = p.acceptPunct('(');
  const names: string[] = [];
  do names.push(p.identifier('variable name'));
  while (list && p.acceptPunct(','));
  if (list) p.expectPunct(')');
  p.expectEnd();
  for (const name of names) {
    if (!ctx.session.variables?.has(name)) throw compilation('INVALID_ARGUMENT', `Session variable '${name}' does not exist`);
  }
  for (const name of names) ctx.session.variables?.delete(name);
  return statusResult(ctx.statement, EXECUTED);
}

/** ALTER SESSION SET name = value [, …] | ALTER SESSION UNSET name [, …]. */
async function alterSession(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('ALTER', 'SESSION');
  const changes = new Map<string, ReturnType<typeof checkParameter> | undefined>();
  if (p.acceptWords('SET')) {
    const options = p.options();
    if (options.size === 0) p.fail('a parameter = value');
    for (const [name, value] of options) changes.set(name, checkParameter(name, value));
  } else {
    p.expectWords('UNSET');
    do {
      const name = p.identifier('parameter name');
      checkParameter(name, parameterValue(ctx.session, name));
      changes.set(name, undefined);
    } while (p.acceptPunct(','));
  }
  p.expectEnd();
  const params = (ctx.session.parameters ??= new Map());
  // Turning autocommit back on commits the transaction it left open, as Snowflake does.
  if (changes.has('AUTOCOMMIT') && changes.get('AUTOCOMMIT') !== false) await commitOpenTransaction(ctx);
  for (const [name, value] of changes) {
    if (value === undefined) params.delete(name);
    else params.set(name, value);
  }
  return statusResult(ctx.statement, EXECUTED);
}

/** SHOW VARIABLES [LIKE '…']: Snowflake's columns. */
async function showVariables(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('SHOW', 'VARIABLES');
  const like = likeMatcher(p.acceptWords('LIKE') ? p.string('LIKE pattern') : null);
  p.expectEnd();
  const rows = [...(ctx.session.variables ?? new Map<string, SessionVariable>())]
    .filter(([name]) => like(name))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, v]) => [ctx.session.id, v.createdOn, v.updatedOn, name, displayValue(v.value), v.type, null]);
  return queryResult(
    ctx.statement,
    columnsOf('session_id', 'created_on:TIMESTAMP_LTZ', 'updated_on:TIMESTAMP_LTZ', 'name', 'value', 'type', 'comment'),
    rows,
  );
}

/** SHOW PARAMETERS [LIKE '…'] [IN SESSION]: every parameter ALTER SESSION knows, SESSION level where set. */
async function showParameters(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('SHOW', 'PARAMETERS');
  const like = likeMatcher(p.acceptWords('LIKE') ? p.string('LIKE pattern') : null);
  if (p.acceptWords('IN')) p.expectOneOf(['SESSION', 'ACCOUNT']);
  p.expectEnd();
  const rows = [...PARAMETERS]
    .filter(([name]) => like(name))
    .map(([name, def]) => {
      const set = ctx.session.parameters?.get(name);
      return [
        name,
        displayValue(set ?? def.default),
        displayValue(def.default),
        set === undefined ? '' : 'SESSION',
        def.description,
        def.kind,
      ];
    });
  return queryResult(ctx.statement, columnsOf('key', 'value', 'default', 'level', 'description', 'type'), rows);
}

const displayValue = (v: unknown): string => (v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));
