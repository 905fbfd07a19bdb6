import { RecpipeError } from '../../core/errors.js';
import type { SqlParam } from '../../warehouse/index.js';
import type { StatementResult } from '../session.js';
import { readSql, type Block, type Declaration, type Sql, type Step } from './script-parse.js';

/** How a script runs its SQL: one statement of the script's session, with bound values. */
export type RunSql = (sql: string, params: readonly SqlParam[]) => Promise<StatementResult>;

/** What a script returns: RETURN's value, or the rows of RETURN TABLE(resultset). */
export type ScriptValue = { readonly value: unknown } | { readonly table: StatementResult };

/** One row of a cursor or resultset, as a FOR loop's variable (`rec.col`). */
class Row {
  constructor(
    readonly columns: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  field(name: string): unknown {
    let k = this.columns.indexOf(name);
    if (k < 0) k = this.columns.findIndex((c) => c.toUpperCase() === name.toUpperCase());
    if (k < 0) throw new RecpipeError('INVALID_ARGUMENT', `SQL compilation error: invalid identifier '${name}' (not a column of the row)`);
    return this.values[k];
  }
}

type Cursor = { readonly cursor: Sql };
type ResultSet = { readonly resultset: StatementResult | null };
type Exception = { readonly exception: { code: number; message: string } };

/** A raised exception of the script (RAISE, or an error a statement or expression ran into). */
class Raised extends Error {
  constructor(
    /** Upper-case exception name, STATEMENT_ERROR or EXPRESSION_ERROR. */
    readonly type: string,
    readonly code: number,
    message: string,
    readonly error: RecpipeError | null,
    readonly line: number,
  ) {
    super(message);
  }
}

type Flow = 'break' | 'continue' | { readonly returned: ScriptValue } | null;

/** Words before which `:name` is a bound variable rather than a semi-structured path (`col:name`). */
const BEFORE_BIND = new Set([
  'SELECT',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'ON',
  'THEN',
  'ELSE',
  'WHEN',
  'IN',
  'IS',
  'BY',
  'SET',
  'VALUES',
  'LIMIT',
  'OFFSET',
  'LIKE',
  'BETWEEN',
  'RETURN',
  'AS',
  'HAVING',
  'IMMEDIATE',
  'TOP',
]);

/**
 * Runs a Snowflake Scripting block. Variables live in nested scopes (a block's DECLAREs and LETs);
 * expressions are evaluated as `SELECT <expr>` with variables bound as parameters, never spliced
 * into SQL text. A SQL error is the STATEMENT_ERROR exception, which handlers may catch;
 * uncaught, it fails the script with the statement's own error.
 */
export async function runScript(block: Block, run: RunSql, signal?: AbortSignal): Promise<ScriptValue> {
  const flow = await new Interpreter(run, signal).block(block, []);
  return flow !== null && typeof flow === 'object' ? flow.returned : { value: null };
}

type Scope = Map<string, unknown>;

class Interpreter {
  constructor(
    private readonly run: RunSql,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async block(block: Block, outer: readonly Scope[]): Promise<Flow> {
    const scopes = [...outer, new Map<string, unknown>()];
    try {
      for (const d of block.declarations) await this.declare(d, scopes);
      return await this.steps(block.body, scopes);
    } catch (e) {
      if (block.handlers === null) throw e;
      const raised = e instanceof Raised ? e : e instanceof RecpipeError ? statementError(e, 0) : null;
      if (raised === null) throw e;
      const handler = block.handlers.find((h) => h.names.some((n) => n === 'OTHER' || n === raised.type));
      if (!handler) throw e;
      const inHandler = new Map<string, unknown>([
        ['SQLCODE', raised.code],
        ['SQLERRM', raised.message],
        ['SQLSTATE', raised.type === 'STATEMENT_ERROR' ? '42000' : 'P0001'],
      ]);
      try {
        return await this.steps(handler.body, [...scopes, inHandler]);
      } catch (again) {
        // RAISE; with no name re-raises the exception being handled.
        if (again instanceof Raised && again.type === '') throw raised;
        throw again;
      }
    }
  }

  private async declare(d: Declaration, scopes: Scope[]): Promise<void> {
    const scope = scopes[scopes.length - 1];
    switch (d.kind) {
      case 'var':
        scope.set(d.name, d.value === null ? null : await this.evaluate(d.value, scopes));
        return;
      case 'cursor':
        scope.set(d.name, { cursor: d.query } satisfies Cursor);
        return;
      case 'resultset':
        scope.set(d.name, { resultset: d.query === null ? null : await this.statement(d.query, scopes) } satisfies ResultSet);
        return;
      case 'exception':
        scope.set(d.name, { exception: { code: d.code, message: d.message } } satisfies Exception);
    }
  }

  private async steps(steps: readonly Step[], scopes: Scope[]): Promise<Flow> {
    for (const step of steps) {
      this.signal?.throwIfAborted();
      const flow = await this.step(step, scopes);
      if (flow !== null) return flow;
    }
    return null;
  }

  private async step(step: Step, scopes: Scope[]): Promise<Flow> {
    switch (step.kind) {
      case 'block':
        return this.block(step.block, scopes);
      case 'declare':
        await this.declare(step.declaration, scopes);
        return null;
      case 'assign':
        this.assign(step.name, await this.evaluate(step.value, scopes), scopes);
        return null;
      case 'if': {
        for (const b of step.branches) if ((await this.evaluate(b.cond, scopes)) === true) return this.steps(b.body, scopes);
        return this.steps(step.otherwise, scopes);
      }
      case 'case': {
        const subject = step.subject === null ? undefined : await this.evaluate(step.subject, scopes);
        for (const b of step.branches) {
          const when = await this.evaluate(b.when, scopes);
          if (subject === undefined ? when === true : when !== null && String(when) === String(subject)) return this.steps(b.body, scopes);
        }
        if (step.otherwise === null) throw this.raise('CASE_NOT_FOUND', -20001, 'Case not found.', step.branches[0]?.when.line ?? 0);
        return this.steps(step.otherwise, scopes);
      }
      case 'range': {
        const [from, to] = [Number(await this.evaluate(step.from, scopes)), Number(await this.evaluate(step.to, scopes))];
        const scope = new Map<string, unknown>();
        for (let k = 0; k <= to - from; k++) {
          scope.set(step.name, step.reverse ? to - k : from + k);
          const flow = await this.loopStep(step.body, [...scopes, scope]);
          if (flow === 'break') break;
          if (flow !== null && flow !== 'continue') return flow;
        }
        return null;
      }
      case 'each': {
        const rows = await this.rowsOf(step.source, scopes);
        const scope = new Map<string, unknown>();
        const columns = rows.columns.map((c) => c.name);
        for (const values of rows.rows) {
          scope.set(step.name, new Row(columns, values));
          const flow = await this.loopStep(step.body, [...scopes, scope]);
          if (flow === 'break') break;
          if (flow !== null && flow !== 'continue') return flow;
        }
        return null;
      }
      case 'while':
      case 'repeat':
      case 'loop':
        for (;;) {
          if (step.kind === 'while' && (await this.evaluate(step.cond, scopes)) !== true) return null;
          const flow = await this.loopStep(step.body, scopes);
          if (flow === 'break') return null;
          if (flow !== null && flow !== 'continue') return flow;
          if (step.kind === 'repeat' && (await this.evaluate(step.cond, scopes)) === true) return null;
        }
      case 'break':
      case 'continue':
        return step.kind;
      case 'return': {
        if (step.table !== null) {
          const rs = this.lookup(step.table, scopes);
          if (!isResultSet(rs) || rs.resultset === null) throw this.expressionError(`'${step.table}' is not a RESULTSET with rows`, 0);
          return { returned: { table: rs.resultset } };
        }
        return { returned: { value: step.value === null ? null : await this.evaluate(step.value, scopes) } };
      }
      case 'raise': {
        if (step.name === null) throw new Raised('', 0, '', null, 0);
        const e = this.lookup(step.name, scopes);
        if (!isException(e)) throw this.expressionError(`'${step.name}' is not a declared EXCEPTION`, 0);
        throw this.raise(step.name, e.exception.code, e.exception.message || `Raised ${step.name}.`, 0);
      }
      case 'sql': {
        const r = await this.statement(step.sql, scopes);
        const rowCount = r.rowCount;
        const top = scopes[0];
        top.set('SQLROWCOUNT', rowCount);
        top.set('SQLFOUND', rowCount > 0);
        top.set('SQLNOTFOUND', rowCount === 0);
        step.into.forEach((name, k) => this.assign(name, r.rows[0]?.[k] ?? null, scopes));
        return null;
      }
      case 'nothing':
        return null;
    }
  }

  /** A loop body: BREAK and CONTINUE end here, RETURN goes on up. */
  private loopStep(body: readonly Step[], scopes: Scope[]): Promise<Flow> {
    return this.steps(body, scopes);
  }

  private async rowsOf(source: string, scopes: Scope[]): Promise<StatementResult> {
    const v = this.lookup(source, scopes);
    if (isCursor(v)) return this.statement(v.cursor, scopes);
    if (isResultSet(v) && v.resultset !== null) return v.resultset;
    throw this.expressionError(`'${source}' is not a CURSOR or RESULTSET`, 0);
  }

  private lookup(name: string, scopes: readonly Scope[]): unknown {
    for (let k = scopes.length - 1; k >= 0; k--) if (scopes[k].has(name)) return scopes[k].get(name);
    throw this.expressionError(`invalid identifier '${name}'`, 0);
  }

  private has(name: string, scopes: readonly Scope[]): boolean {
    return scopes.some((s) => s.has(name));
  }

  private assign(name: string, value: unknown, scopes: Scope[]): void {
    for (let k = scopes.length - 1; k >= 0; k--) {
      if (scopes[k].has(name)) {
        scopes[k].set(name, value);
        return;
      }
    }
    // As in Snowflake, assigning an undeclared name declares it in the innermost block.
    scopes[scopes.length - 1].set(name, value);
  }

  /** An expression's value, from `SELECT <expr>` with the variables it names bound. */
  private async evaluate(expr: Sql, scopes: Scope[]): Promise<unknown> {
    const { text, params } = this.bind(expr, scopes, false);
    const query = text.trim().startsWith('(') && /^\(\s*select\b/i.test(text.trim()) ? text : `SELECT ${text}`;
    let r: StatementResult;
    try {
      r = await this.run(query, params);
    } catch (e) {
      if (e instanceof RecpipeError) throw new Raised('EXPRESSION_ERROR', -1, firstLine(e.message), e, expr.line);
      throw e;
    }
    return r.rows[0]?.[0] ?? null;
  }

  /** A SQL statement with `:name` variables bound; `EXECUTE IMMEDIATE <expr>` runs the text its expression gives. */
  private async statement(sql: Sql, scopes: Scope[]): Promise<StatementResult> {
    const [a, b, c] = sql.tokens;
    if (a?.value === 'EXECUTE' && b?.value === 'IMMEDIATE' && !(c?.kind === 'string' && sql.tokens.length === 3)) {
      const text = await this.evaluate({ ...sql, text: sql.text.slice(c.start), tokens: readSql(sql.text.slice(c.start)).tokens }, scopes);
      if (typeof text !== 'string') throw this.expressionError('EXECUTE IMMEDIATE needs a string', sql.line);
      return this.statement(readSql(text, sql.line), scopes);
    }
    let query = sql;
    // A RESULTSET's query is written in parentheses.
    if (sql.tokens[0]?.value === '(' && sql.tokens[sql.tokens.length - 1]?.value === ')') query = readSql(sql.text.slice(1, -1), sql.line);
    const { text, params } = this.bind(query, scopes, true);
    try {
      return await this.run(text, params);
    } catch (e) {
      if (e instanceof RecpipeError) throw statementError(e, sql.line);
      throw e;
    }
  }

  /**
   * Replaces the variables an expression or statement names by `?` markers with their values. In a
   * statement a variable is written `:name` (a bare name there is a column); in an expression
   * either way. `rec.col` reads a FOR loop's row.
   */
  private bind(sql: Sql, scopes: Scope[], statement: boolean): { text: string; params: SqlParam[] } {
    const t = sql.tokens;
    const params: SqlParam[] = [];
    let text = '';
    let copied = 0;
    for (let k = 0; k < t.length; k++) {
      const colon = t[k].value === ':' && t[k].kind === 'op' && t[k + 1] !== undefined && t[k + 1].start === t[k].end;
      const at = colon ? k + 1 : k;
      const name = t[at];
      if (name === undefined || (name.kind !== 'word' && name.kind !== 'quoted') || !this.has(name.value, scopes)) continue;
      const prev = t[k - 1];
      if (colon) {
        const path = prev !== undefined && (prev.kind === 'quoted' || prev.value === ')' || prev.value === ']' || prev.kind === 'word');
        if (path && !(prev.kind === 'word' && BEFORE_BIND.has(prev.value))) continue;
      } else {
        if (prev?.value === '.' || prev?.value === ':' || t[k + 1]?.value === '(') continue;
        // In a statement a bare name is a column, except a loop's row read as `rec.col`.
        if (statement && !(this.lookup(name.value, scopes) instanceof Row && t[k + 1]?.value === '.')) continue;
      }
      let value = this.lookup(name.value, scopes);
      let end = name.end;
      if (value instanceof Row && t[at + 1]?.value === '.' && t[at + 2] !== undefined) {
        value = value.field(t[at + 2].value);
        end = t[at + 2].end;
        k = at + 2;
      } else {
        k = at;
      }
      text += sql.text.slice(copied, t[colon ? at - 1 : at].start) + '?';
      copied = end;
      params.push(toParam(value));
    }
    return { text: text + sql.text.slice(copied), params };
  }

  private raise(type: string, code: number, message: string, line: number): Raised {
    return new Raised(type, code, message, null, line);
  }

  private expressionError(message: string, line: number): Raised {
    return new Raised('EXPRESSION_ERROR', -1, `SQL compilation error: ${message}`, null, line);
  }
}

function statementError(e: RecpipeError, line: number): Raised {
  return new Raised('STATEMENT_ERROR', -1, firstLine(e.message), e, line);
}

const firstLine = (s: string): string => s.split('\n')[0];

function toParam(v: unknown): SqlParam {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  return JSON.stringify(v);
}

const isCursor = (v: unknown): v is Cursor => typeof v === 'object' && v !== null && 'cursor' in v;
const isResultSet = (v: unknown): v is ResultSet => typeof v === 'object' && v !== null && 'resultset' in v;
const isException = (v: unknown): v is Exception => typeof v === 'object' && v !== null && 'exception' in v;

/** The error an uncaught exception fails the script with: a statement's own error, or Snowflake's wording for a raised one. */
export function uncaught(e: unknown): unknown {
  if (!(e instanceof Raised)) return e;
  if (e.error) return e.error;
  if (e.type === 'EXPRESSION_ERROR') return new RecpipeError('INVALID_ARGUMENT', e.message);
  return new RecpipeError(
    'FAILED_PRECONDITION',
    `Uncaught exception of type '${e.type}'${e.line > 0 ? ` on line ${e.line}` : ''} : ${e.message} (SQLCODE ${e.code})`,
    { sqlCode: e.code },
  );
}
