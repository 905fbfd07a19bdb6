import { RecpipeError, invalid } from '../core/errors.js';
import { quoteTableName, type SqlParam, type Warehouse, type WarehouseConnection } from '../warehouse/index.js';
import type { ExternalFunctions, StatementWords } from '../external/index.js';
import type { AccessControl } from '../access/index.js';
import type { Catalog } from './catalog.js';
import type { StageStore } from './stages.js';
import type { TaskControl } from './task-control.js';
import type { StreamStore } from './streams.js';
import { streamReferences } from './stream-refs.js';
import { joinBlocks } from './blocks.js';
import type { DatabaseFileOf, ExecContext } from './context.js';
import { compilation, inStatement } from './errors.js';
import { Parser } from './parser.js';
import { StatementParse } from './dialect/index.js';
import type { Session, StatementResult } from './session.js';
import {
  PASSTHROUGH,
  copyInto,
  forgetLoadsOnReset,
  externalStatement,
  grantOrRevoke,
  isRoleOrUserStatement,
  roleOrUserStatement,
  createDatabase,
  createFileFormat,
  createSchema,
  createTable,
  createView,
  createWarehouse,
  describe,
  dropDatabase,
  dropFileFormat,
  dropRelation,
  dropSchema,
  dropWarehouse,
  passThrough,
  showObjects,
  use,
  taskStatement,
  taskTableFunctions,
  streamStatement,
  type CreateHead,
} from './statements/index.js';
import type { ObjectListing } from './statements/listings.js';
import { refuseHostAccess } from './statements/host-access.js';
import { alterTable, commentOn, truncateIfExists } from './statements/alter-table.js';
import { insertOverwrite } from './statements/insert-overwrite.js';
import { CHECKED_VERBS, checkObjectPrivileges } from './statements/privileges.js';
import { createStage, dropStage, listStage, putFile, storeInStage, transferPlan, type TransferPlan } from './statements/stage.js';
import { readStageRef } from './stage-paths.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { splitStatements, type Statement } from './tokens.js';
import { QueryHistory, ResultCache } from './query-history.js';
import { substituteIdentifiers } from './session-variables.js';
import { sequenceStatement } from './statements/sequence.js';
import { sessionStatement } from './statements/session-statements.js';
import { beginStatement } from './statements/transaction-modes.js';
import { WriteQueue } from './write-conflicts.js';
import { insertBindFiles, loadsBindFiles } from './statements/bind-insert.js';
import { executeScript, scriptOf } from './scripting/index.js';

const SUPPORTED = [
  'USE ROLE|WAREHOUSE|DATABASE|SCHEMA',
  'CREATE [OR REPLACE] DATABASE|SCHEMA|WAREHOUSE|FILE FORMAT|TABLE|VIEW|STAGE|ROLE|USER|TASK|STREAM|API INTEGRATION|EXTERNAL FUNCTION',
  'DROP of the same',
  'ALTER TABLE|TASK|API INTEGRATION; COMMENT ON TABLE|VIEW|COLUMN',
  'EXECUTE TASK',
  'SHOW DATABASES|SCHEMAS|TABLES|VIEWS|WAREHOUSES|FILE FORMATS|STAGES|TASKS|STREAMS|INTEGRATIONS|EXTERNAL FUNCTIONS|TRAINING JOBS|ENDPOINTS and the other listings',
  'DESCRIBE TABLE|VIEW|FILE FORMAT|TASK|STREAM|INTEGRATION|FUNCTION|TRAINING JOB|ENDPOINT',
  'GRANT; REVOKE; COPY INTO; LIST @stage; PUT',
  'SELECT; WITH; VALUES; INSERT; UPDATE; DELETE; MERGE; TRUNCATE',
  'BEGIN/COMMIT/ROLLBACK',
  'SET/UNSET variables; ALTER SESSION SET|UNSET; SHOW VARIABLES|PARAMETERS',
  'CREATE|DROP|DESCRIBE SEQUENCE; SHOW SEQUENCES',
].join('; ');

export interface ExecutorDeps {
  readonly warehouse: Warehouse;
  readonly catalog: Catalog;
  readonly databaseFile: DatabaseFileOf;
  readonly listings?: readonly ObjectListing[];
  readonly externals?: ExternalFunctions;
  readonly access: AccessControl;
  /**
   * Awaited after each statement of a session: work the statement's SQL functions started (training
   * jobs) finishes its call-time checks here, and a failed check fails the statement.
   */
  readonly statementDone?: (session: Session) => Promise<void>;
  readonly stages?: StageStore;
  readonly tasks?: TaskControl;
  readonly streams?: StreamStore;
  /** Awaited on each statement's result: work a function only marked (waiting for a training job) ends here. */
  readonly settleResult?: (result: StatementResult, signal?: AbortSignal) => Promise<StatementResult>;
}

/**
 * Runs a request of one or more Snowflake statements for a session, in order, on one warehouse
 * connection. Statements recpipe owns (USE, CREATE DATABASE, COPY INTO, SHOW …) are parsed and
 * executed here; the rest are translated and run by DuckDB. A failing statement stops the request;
 * its error names the statement and line.
 */
export class SqlExecutor {
  /** Recent results of every session, for RESULT_SCAN (bounded; see query-history.ts). */
  private readonly results = new ResultCache();
  private readonly writes = new WriteQueue();

  constructor(private readonly deps: ExecutorDeps) {}

  /** `signal` cancels the request: the running statement is interrupted and no further statement starts. */
  async execute(
    session: Session,
    text: string,
    params: readonly unknown[] = [],
    signal?: AbortSignal,
    bindFiles?: readonly string[],
  ): Promise<StatementResult[]> {
    const statements = joinBlocks(splitStatements(text), text);
    if (statements.length === 0) throw invalid('Empty SQL statement.');
    if (bindFiles !== undefined && (statements.length !== 1 || !loadsBindFiles(statements[0])))
      throw invalid('array binds uploaded as files apply to one INSERT INTO t [(columns)] VALUES (?, …) only');
    const values = params.map(checkParam);
    // Bind files stand for the markers' values.
    const perStatement = bindFiles === undefined ? splitParams(statements, values) : [[]];
    const pin = { key: session.id, keep: () => session.inTransaction === true };
    const history = (session.history ??= new QueryHistory(this.results, session.user ?? 'ADMIN'));
    const statementsOn = async (conn: WarehouseConnection, from: number, to: number): Promise<StatementResult[]> => {
      const results: StatementResult[] = [];
      for (let i = from; i < to; i++) {
        const written = statements[i];
        signal?.throwIfAborted();
        await followSession(conn, session);
        let statement = written;
        try {
          statement = substituteIdentifiers(written, session);
          const ctx: ExecContext = {
            ...this.deps,
            listings: this.deps.listings ?? [],
            session,
            statement,
            params: perStatement[i],
            conn,
            parsed: new StatementParse(),
            ...(bindFiles === undefined ? {} : { bindFiles }),
          };
          const store = this.deps.streams;
          if (store) await transactionEnd(store, conn, session, statement);
          await beginStatement(ctx);
          // A stream reads as its change view; its privileges are those of its base table.
          const streams = store ? await streamReferences(ctx, store) : null;
          const running: ExecContext = streams ? { ...ctx, statement: streams.run } : ctx;
          const checked = streams ? { ...ctx, statement: streams.checked } : ctx;
          const serial = WriteQueue.writes(statement.tokens[0].value, session.inTransaction === true);
          const result = await this.writes.run(serial, async () => {
            const after = CHECKED_VERBS.has(statement.tokens[0].value) ? await checkObjectPrivileges(checked) : null;
            const statementRun = (): Promise<StatementResult> => dispatch(taskTableFunctions(running) ?? running);
            const run =
              store && streams && streams.consumed.length > 0
                ? () => store.consume(conn, session.id, session.inTransaction === true, streams.consumed, statementRun)
                : statementRun;
            const done = await (this.deps.externals ? this.deps.externals.evaluate(conn, statementWords(statement, session), run) : run());
            await after?.();
            return done;
          });
          await this.deps.statementDone?.(session);
          await forgetLoadsOnReset(ctx);
          const settled = this.deps.settleResult ? await this.deps.settleResult(result, signal) : result;
          results.push({ ...settled, queryId: history.record(settled) });
        } catch (e) {
          // Whatever a failed statement started is reported by its own failure, not by the next statement.
          await this.deps.statementDone?.(session).catch(() => undefined);
          throw inStatement(e instanceof RecpipeError ? e : new RecpipeError('INTERNAL', String(e)), statement, statements.length);
        }
      }
      return results;
    };
    // A script runs its statements through execute() itself, so it holds no connection meanwhile.
    const results: StatementResult[] = [];
    let from = 0;
    for (let i = 0; i <= statements.length; i++) {
      const script = i < statements.length ? scriptOf(statements[i]) : null;
      if (script === null && i < statements.length) continue;
      if (i > from) {
        const upTo = i;
        results.push(
          ...(await this.deps.warehouse.withConnection((conn) => interruptible(conn, signal, () => statementsOn(conn, from, upTo)), pin)),
        );
      }
      if (script !== null) results.push(await this.script(session, statements[i], script, statements.length, signal));
      from = i + 1;
    }
    return results;
  }

  /** Runs a Snowflake Scripting block (or EXECUTE IMMEDIATE) of a request; its statements run in the same session. */
  private async script(session: Session, st: Statement, text: string, count: number, signal?: AbortSignal): Promise<StatementResult> {
    const steps: StatementResult[] = [];
    const runRequest = async (sql: string, params: readonly SqlParam[] = []): Promise<StatementResult[]> => {
      const rs = await this.execute(session, sql, params, signal);
      steps.push(...rs.flatMap((r) => [...scriptSteps(r), r]));
      return rs;
    };
    try {
      const result = await executeScript(st, text, async (sql, params) => (await runRequest(sql, params))[0], runRequest, signal);
      const history = (session.history ??= new QueryHistory(this.results, session.user ?? 'ADMIN'));
      const done = { ...result, queryId: history.record(result) };
      STEPS.set(done, steps);
      return done;
    } catch (e) {
      throw inStatement(e instanceof RecpipeError ? e : new RecpipeError('INTERNAL', String(e)), st, count);
    }
  }

  /** Ends a session: a transaction it left open is rolled back. */
  async endSession(session: Session): Promise<void> {
    session.inTransaction = false;
    this.deps.streams?.rolledBack(session.id);
    await this.deps.warehouse.releasePinned(session.id);
    for (const t of session.temporaryTables?.splice(0) ?? []) {
      await this.deps.warehouse.run(`DROP TABLE IF EXISTS ${quoteTableName(t)}`).catch(() => undefined);
      await this.deps.catalog.setColumnTypes(t, null).catch(() => undefined);
    }
  }

  /**
   * PUT of a client's file: writes `bytes` as `name` into the internal stage `target` (`@~[/dir]` or
   * `@stage[/dir]`), checked as the session's user and role; the file is replaced whole or not at all.
   */
  upload(session: Session, target: string, name: string, bytes: Uint8Array): Promise<StatementResult> {
    return this.onStatement(session, `PUT ${target}`, (ctx) => {
      const p = new Parser(ctx.statement);
      p.expectWords('PUT');
      const ref = readStageRef(p, ctx.statement);
      if (!ref) throw invalid(`PUT target '${target}' must be a stage such as @~ or @my_stage[/dir]`);
      p.expectEnd();
      return storeInStage(ctx, ref, name, (file) => writeFileAtomicSync(file, bytes, { mode: 0o600 }));
    });
  }

  /** A driver's PUT or GET, checked as the session's user and role: what to transfer and where (the driver moves the bytes). */
  transfer(session: Session, sql: string): Promise<TransferPlan> {
    return this.onStatement(session, sql, transferPlan);
  }

  private onStatement<T>(session: Session, sql: string, run: (ctx: ExecContext) => Promise<T>): Promise<T> {
    const [statement] = splitStatements(sql);
    if (statement === undefined) throw invalid(`'${sql}' is not a statement`);
    return this.deps.warehouse.withConnection((conn) =>
      run({ ...this.deps, listings: this.deps.listings ?? [], session, statement, params: [], conn }),
    );
  }
}

const STEPS = new WeakMap<object, readonly StatementResult[]>();

/** The results of the statements a script's result ran (a task waits for the training jobs they started). */
export function scriptSteps(result: object): readonly StatementResult[] {
  return STEPS.get(result) ?? [];
}

/** A statement's first word, all its words and where it runs, for external functions to spot calls before it runs. */
function statementWords(st: Statement, session: Session): StatementWords {
  const words = new Set(st.tokens.filter((t) => t.kind === 'word' || t.kind === 'quoted').map((t) => t.value.toUpperCase()));
  return {
    verb: st.tokens[0].value.toUpperCase(),
    words,
    database: session.database,
    schema: session.schema,
    inTransaction: session.inTransaction === true,
  };
}

/** Runs `fn` with `conn`; an abort of `signal` meanwhile stops what runs on the connection until `fn` returns. */
async function interruptible<T>(conn: WarehouseConnection, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  const interrupt = (): void => conn.interrupt();
  if (signal?.aborted) interrupt();
  else signal?.addEventListener('abort', interrupt);
  try {
    return await fn();
  } finally {
    signal?.removeEventListener('abort', interrupt);
  }
}

/** A COMMIT first moves the offsets of the streams its transaction consumed; a ROLLBACK forgets them. */
async function transactionEnd(store: StreamStore, conn: WarehouseConnection, session: Session, st: Statement): Promise<void> {
  const verb = st.tokens[0].value;
  if (session.inTransaction !== true || st.tokens.length !== 1 || st.tokens[0].kind !== 'word') return;
  if (verb === 'COMMIT') await store.committing(conn, session.id);
  if (verb === 'ROLLBACK') store.rolledBack(session.id);
}

/** One-part names that slip past the translator (CTE-like constructs) still resolve in the session's schema. */
async function followSession(conn: WarehouseConnection, session: Session): Promise<void> {
  try {
    await conn.useSchema(session.database, session.schema, session.role, session.id);
  } catch {
    await conn.useSchema(null, null, session.role, session.id);
  }
}

function dispatch(ctx: ExecContext): Promise<StatementResult> {
  const first = ctx.statement.tokens[0];
  // COPY INTO names its files itself (checked by its handler); no other statement may name a file.
  if (first.value !== 'COPY') refuseHostAccess(ctx.statement);
  const external = externalStatement(ctx) ?? taskStatement(ctx) ?? streamStatement(ctx) ?? sessionStatement(ctx) ?? sequenceStatement(ctx);
  if (external) return external;
  if (isRoleOrUserStatement(ctx.statement)) return roleOrUserStatement(ctx);
  const word = first.kind === 'word' || first.value === '(' ? first.value : '';
  switch (word) {
    case 'USE':
      return use(ctx);
    case 'SHOW':
      return showObjects(ctx);
    case 'DESCRIBE':
    case 'DESC':
      return describe(ctx);
    case 'GRANT':
    case 'REVOKE':
      return grantOrRevoke(ctx);
    case 'COPY':
      return copyInto(ctx);
    case 'LIST':
    case 'LS':
      return listStage(ctx, new Parser(ctx.statement));
    case 'PUT':
      return putFile(ctx, new Parser(ctx.statement));
    case 'CREATE':
      return create(ctx);
    case 'DROP':
      return drop(ctx);
    case 'ALTER':
      if (ctx.statement.tokens[1]?.value !== 'TABLE') throw unsupported(ctx.statement);
      return alterTable(ctx);
    case 'COMMENT':
      return commentOn(ctx);
    case 'INSERT':
      if (ctx.bindFiles !== undefined) return insertBindFiles(ctx, ctx.bindFiles);
      return insertOverwrite(ctx).then((r) => r ?? passThrough(ctx));
    case 'TRUNCATE':
      return truncateIfExists(ctx).then((r) => r ?? passThrough(ctx));
    default:
      if (PASSTHROUGH.has(word)) return passThrough(ctx);
      throw unsupported(ctx.statement);
  }
}

const TEMPORARY = ['LOCAL', 'GLOBAL', 'TEMP', 'TEMPORARY', 'VOLATILE'];

function create(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('CREATE');
  const orReplace = p.acceptWords('OR', 'REPLACE');
  const temporary = p.acceptOneOf(['LOCAL', 'GLOBAL']) !== null || p.acceptOneOf(TEMPORARY) !== null;
  if (temporary) p.acceptOneOf(TEMPORARY);
  const transient = p.acceptWords('TRANSIENT') || temporary;
  const kind = p.acceptWords('FILE', 'FORMAT')
    ? 'FILE FORMAT'
    : p.acceptOneOf(['DATABASE', 'SCHEMA', 'WAREHOUSE', 'TABLE', 'VIEW', 'STAGE']);
  if (kind === null || (transient && !['DATABASE', 'SCHEMA', 'TABLE'].includes(kind))) throw unsupported(ctx.statement);
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  if (orReplace && ifNotExists) throw compilation('INVALID_ARGUMENT', 'OR REPLACE and IF NOT EXISTS are incompatible.');
  if (temporary && kind !== 'TABLE') throw unsupported(ctx.statement);
  const head: CreateHead = { orReplace, ifNotExists, temporary };
  switch (kind) {
    case 'DATABASE':
      return createDatabase(ctx, p, head);
    case 'SCHEMA':
      return createSchema(ctx, p, head);
    case 'WAREHOUSE':
      return createWarehouse(ctx, p, head);
    case 'FILE FORMAT':
      return createFileFormat(ctx, p, head);
    case 'STAGE':
      return createStage(ctx, p, head);
    case 'TABLE':
      return createTable(ctx, p, head);
    default:
      return createView(ctx, p, head);
  }
}

function drop(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('DROP');
  const kind = p.acceptWords('FILE', 'FORMAT')
    ? 'FILE FORMAT'
    : p.acceptOneOf(['DATABASE', 'SCHEMA', 'WAREHOUSE', 'TABLE', 'VIEW', 'STAGE']);
  if (kind === null) throw unsupported(ctx.statement);
  const ifExists = p.acceptWords('IF', 'EXISTS');
  switch (kind) {
    case 'DATABASE':
      return dropDatabase(ctx, p, ifExists);
    case 'SCHEMA':
      return dropSchema(ctx, p, ifExists);
    case 'WAREHOUSE':
      return dropWarehouse(ctx, p, ifExists);
    case 'FILE FORMAT':
      return dropFileFormat(ctx, p, ifExists);
    case 'STAGE':
      return dropStage(ctx, p, ifExists);
    default:
      return dropRelation(ctx, p, kind as 'TABLE' | 'VIEW', ifExists);
  }
}

/** Words between a DDL verb and the object kind; they never name the statement. */
const MODIFIERS = new Set(['OR', 'REPLACE', 'ALTER', 'IF', 'NOT', 'EXISTS', 'SECURE', 'TRANSIENT', 'TERSE', 'RECURSIVE', ...TEMPORARY]);
const DDL_VERBS = new Set(['CREATE', 'DROP', 'ALTER', 'SHOW', 'DESCRIBE', 'DESC', 'UNDROP', 'EXECUTE']);
/** First words of object kinds spelled in two words (FILE FORMAT, MATERIALIZED VIEW, API INTEGRATION …). */
const TWO_WORD_KINDS = new Set([
  'FILE',
  'MATERIALIZED',
  'EXTERNAL',
  'DYNAMIC',
  'EVENT',
  'HYBRID',
  'ICEBERG',
  'API',
  'STORAGE',
  'NOTIFICATION',
  'SECURITY',
  'NETWORK',
  'MASKING',
  'ROW',
  'RESOURCE',
  'PASSWORD',
  'SESSION',
  'AUTHENTICATION',
  'COMPUTE',
  'GIT',
  'IMAGE',
  'STREAMLIT',
]);

/** Names a statement by its verb and object kind (`CREATE SEQUENCE`, `ALTER WAREHOUSE`), never by its modifiers or object name. */
function unsupported(st: Statement): RecpipeError {
  const words = st.tokens.filter((t) => t.kind === 'word').map((t) => t.value);
  const verb = words[0] ?? st.tokens[0].value;
  let named = verb;
  if (DDL_VERBS.has(verb)) {
    let i = 1;
    while (i < words.length && MODIFIERS.has(words[i])) i++;
    const [kind, next] = [words[i], words[i + 1]];
    if (kind !== undefined) named += TWO_WORD_KINDS.has(kind) && next !== undefined ? ` ${kind} ${next}` : ` ${kind}`;
  }
  return compilation('INVALID_ARGUMENT', `Unsupported statement '${named}'. recpipe supports: ${SUPPORTED}.`);
}

function checkParam(v: unknown, i: number): SqlParam {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  throw invalid(`bind parameter ${i + 1} must be null, a boolean, a number or a string, got ${typeof v}`);
}

/** Each statement takes as many values as it has `?` markers, in order. */
function splitParams(statements: readonly Statement[], values: readonly SqlParam[]): SqlParam[][] {
  let next = 0;
  const out = statements.map((st) => {
    const n = st.tokens.filter((t) => t.kind === 'param').length;
    next += n;
    return values.slice(next - n, next);
  });
  if (next !== values.length) throw invalid(`the request has ${next} bind parameter marker(s) but ${values.length} value(s) were given`);
  return out;
}
