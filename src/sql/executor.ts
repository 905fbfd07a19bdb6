import { RecpipeError, invalid } from '../core/errors.js';
import type { SqlParam, Warehouse, WarehouseConnection } from '../warehouse/index.js';
import type { ExternalFunctions, StatementWords } from '../external/index.js';
import type { AccessControl } from '../access/index.js';
import type { Catalog } from './catalog.js';
import type { DatabaseFileOf, ExecContext } from './context.js';
import { compilation, inStatement } from './errors.js';
import { Parser } from './parser.js';
import type { Session, StatementResult } from './session.js';
import {
  PASSTHROUGH,
  copyInto,
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
  type CreateHead,
} from './statements/index.js';
import type { ObjectListing } from './statements/listings.js';
import { splitStatements, type Statement } from './tokens.js';

const SUPPORTED =
  'USE ROLE|WAREHOUSE|DATABASE|SCHEMA; CREATE [OR REPLACE] DATABASE|SCHEMA|WAREHOUSE|FILE FORMAT|TABLE|VIEW; DROP of the same; ' +
  'SHOW DATABASES|SCHEMAS|TABLES|VIEWS|WAREHOUSES|FILE FORMATS|TRAINING JOBS|ENDPOINTS; DESCRIBE TABLE|VIEW|FILE FORMAT|TRAINING JOB|ENDPOINT; COPY INTO; ' +
  'SELECT; INSERT; UPDATE; DELETE; TRUNCATE; ALTER TABLE; BEGIN/COMMIT/ROLLBACK';

export interface ExecutorDeps {
  readonly warehouse: Warehouse;
  readonly catalog: Catalog;
  readonly databaseFile: DatabaseFileOf;
  readonly listings?: readonly ObjectListing[];
  readonly externals?: ExternalFunctions;
  readonly access: AccessControl;
}

/**
 * Runs a request of one or more Snowflake statements for a session, in order, on one warehouse
 * connection. Statements recpipe owns (USE, CREATE DATABASE, COPY INTO, SHOW …) are parsed and
 * executed here; the rest are translated and run by DuckDB. A failing statement stops the request;
 * its error names the statement and line.
 */
export class SqlExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(session: Session, text: string, params: readonly unknown[] = []): Promise<StatementResult[]> {
    const statements = splitStatements(text);
    if (statements.length === 0) throw invalid('Empty SQL statement.');
    const values = params.map(checkParam);
    const perStatement = splitParams(statements, values);
    return this.deps.warehouse.withConnection(async (conn) => {
      const results: StatementResult[] = [];
      for (const [i, statement] of statements.entries()) {
        await followSession(conn, session);
        const ctx: ExecContext = { ...this.deps, listings: this.deps.listings ?? [], session, statement, params: perStatement[i], conn };
        try {
          const run = (): Promise<StatementResult> => dispatch(ctx);
          results.push(await (this.deps.externals ? this.deps.externals.evaluate(conn, statementWords(statement, session), run) : run()));
        } catch (e) {
          throw inStatement(e instanceof RecpipeError ? e : new RecpipeError('INTERNAL', String(e)), statement, statements.length);
        }
      }
      return results;
    });
  }
}

/** A statement's first word, all its words and where it runs, for external functions to spot calls before it runs. */
function statementWords(st: Statement, session: Session): StatementWords {
  const words = new Set(st.tokens.filter((t) => t.kind === 'word' || t.kind === 'quoted').map((t) => t.value.toUpperCase()));
  return { verb: st.tokens[0].value.toUpperCase(), words, database: session.database, schema: session.schema };
}

/** One-part names that slip past the translator (CTE-like constructs) still resolve in the session's schema. */
async function followSession(conn: WarehouseConnection, session: Session): Promise<void> {
  try {
    await conn.useSchema(session.database, session.schema, session.role);
  } catch {
    await conn.useSchema(null, null, session.role);
  }
}

function dispatch(ctx: ExecContext): Promise<StatementResult> {
  const external = externalStatement(ctx);
  if (external) return external;
  if (isRoleOrUserStatement(ctx.statement)) return roleOrUserStatement(ctx);
  const first = ctx.statement.tokens[0];
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
    case 'CREATE':
      return create(ctx);
    case 'DROP':
      return drop(ctx);
    case 'ALTER':
      if (ctx.statement.tokens[1]?.value !== 'TABLE') throw unsupported(ctx.statement);
      return passThrough(ctx);
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
  if (p.acceptOneOf(TEMPORARY)) {
    throw compilation('INVALID_ARGUMENT', 'temporary tables are not supported (recpipe sessions share connections); use a TRANSIENT or permanent table');
  }
  const transient = p.acceptWords('TRANSIENT');
  const kind = p.acceptWords('FILE', 'FORMAT') ? 'FILE FORMAT' : p.acceptOneOf(['DATABASE', 'SCHEMA', 'WAREHOUSE', 'TABLE', 'VIEW']);
  if (kind === null || (transient && !['DATABASE', 'SCHEMA', 'TABLE'].includes(kind))) throw unsupported(ctx.statement);
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  if (orReplace && ifNotExists) throw compilation('INVALID_ARGUMENT', 'OR REPLACE and IF NOT EXISTS are incompatible.');
  const head: CreateHead = { orReplace, ifNotExists };
  switch (kind) {
    case 'DATABASE':
      return createDatabase(ctx, p, head);
    case 'SCHEMA':
      return createSchema(ctx, p, head);
    case 'WAREHOUSE':
      return createWarehouse(ctx, p, head);
    case 'FILE FORMAT':
      return createFileFormat(ctx, p, head);
    case 'TABLE':
      return createTable(ctx, p, head);
    default:
      return createView(ctx, p, head);
  }
}

function drop(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('DROP');
  const kind = p.acceptWords('FILE', 'FORMAT') ? 'FILE FORMAT' : p.acceptOneOf(['DATABASE', 'SCHEMA', 'WAREHOUSE', 'TABLE', 'VIEW']);
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
    default:
      return dropRelation(ctx, p, kind as 'TABLE' | 'VIEW', ifExists);
  }
}

function unsupported(st: Statement): RecpipeError {
  const words = st.tokens
    .slice(0, 3)
    .filter((t) => t.kind === 'word')
    .map((t) => t.value)
    .join(' ');
  return compilation('INVALID_ARGUMENT', `Unsupported statement '${words || st.tokens[0].value}'. recpipe supports: ${SUPPORTED}.`);
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
