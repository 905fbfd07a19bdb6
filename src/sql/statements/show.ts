import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { SYSTEM_DATABASE, resolveSchemaName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { show } from './file-format.js';
import { showListing } from './listings.js';
import { showColumns, showObjects as showTablesAndViews } from './show-columns.js';
import { displayName } from '../../warehouse/index.js';

/** Where SHOW looks: the whole account, one database, or one schema. */
export interface Scope {
  readonly database?: string;
  readonly schema?: string;
}

const KINDS = ['DATABASES', 'SCHEMAS', 'TABLES', 'VIEWS', 'WAREHOUSES', 'FILE'];

/** SHOW [TERSE] DATABASES | SCHEMAS | TABLES | VIEWS | WAREHOUSES | FILE FORMATS [LIKE '…'] [IN ACCOUNT | DATABASE [db] | SCHEMA [s] | name]. */
export async function showObjects(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('SHOW');
  p.acceptWords('TERSE');
  const listed = showListing(ctx, p);
  if (listed) return listed;
  if (p.acceptWords('COLUMNS')) return showColumns(ctx, p);
  if (p.acceptWords('OBJECTS')) return showTablesAndViews(ctx, p);
  const kind = p.acceptOneOf(KINDS);
  if (kind === null) {
    const more = ctx.listings.map((l) => l.plural.join(' ')).join(', ');
    return p.fail(
      `one of DATABASES, SCHEMAS, TABLES, VIEWS, OBJECTS, COLUMNS, WAREHOUSES, FILE FORMATS${more ? `, ${more}` : ''} (recpipe supports these SHOW commands)`,
    );
  }
  if (kind === 'FILE') p.expectWords('FORMATS');
  const like = p.acceptWords('LIKE') ? p.string('LIKE pattern') : null;
  const scope = p.acceptWords('IN') ? await parseScope(ctx, p) : defaultScope(ctx, kind);
  p.expectEnd();
  const matches = likeMatcher(like);
  switch (kind) {
    case 'DATABASES':
      return showDatabases(ctx, matches);
    case 'SCHEMAS':
      return showSchemas(ctx, matches, scope);
    case 'TABLES':
    case 'VIEWS':
      return showTables(ctx, matches, scope, kind === 'TABLES' ? 'TABLE' : 'VIEW');
    case 'WAREHOUSES':
      return showWarehouses(ctx, matches);
    default:
      return showFileFormats(ctx, matches, scope);
  }
}

export async function parseScope(ctx: ExecContext, p: Parser): Promise<Scope> {
  if (p.acceptWords('ACCOUNT')) return {};
  if (p.acceptWords('DATABASE')) return { database: existingDatabase(ctx, p.atEnd() ? current(ctx) : p.identifier('database name')) };
  const explicit = p.acceptWords('SCHEMA');
  if (explicit && p.atEnd()) return { database: existingDatabase(ctx, current(ctx)), schema: ctx.session.schema ?? p.fail('schema name') };
  const parts = p.objectName(2, 'database or schema name');
  if (!explicit && parts.length === 1 && ctx.catalog.database(parts[0])) return { database: ctx.catalog.database(parts[0])!.name };
  const { database, schema } = resolveSchemaName(parts, ctx.session, 'SHOW');
  return { database: existingDatabase(ctx, database), schema };
}

function current(ctx: ExecContext): string {
  if (ctx.session.database === null)
    throw compilation(
      'FAILED_PRECONDITION',
      `Cannot perform SHOW. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.`,
    );
  return ctx.session.database;
}

function existingDatabase(ctx: ExecContext, name: string): string {
  const db = ctx.catalog.database(name) ?? (name.toUpperCase() === SYSTEM_DATABASE ? { name: SYSTEM_DATABASE } : undefined);
  if (!db) throw objectMissing('Database', [name]);
  return db.name;
}

/** Snowflake's defaults: schemas of the current database, tables of the current schema, else wider. */
export function defaultScope(ctx: ExecContext, kind: string): Scope {
  const { database, schema } = ctx.session;
  if (database === null || kind === 'DATABASES' || kind === 'WAREHOUSES') return {};
  if (kind === 'SCHEMAS' || schema === null) return { database };
  return { database, schema };
}

function showDatabases(ctx: ExecContext, matches: (n: string) => boolean): StatementResult {
  const user = ctx.catalog
    .listDatabases()
    .map((d) => [d.createdOn, d.name, 'N', flag(d.name === ctx.session.database), '', d.owner, d.comment ?? '', '', '1', 'STANDARD']);
  const system = [null, SYSTEM_DATABASE, 'N', 'N', '', 'SYSTEM', "recpipe's system catalog (read-only)", '', '0', 'SYSTEM'];
  const rows = [...user, system].filter((r) => matches(String(r[1])));
  return queryResult(
    ctx.statement,
    columnsOf(
      'created_on:TIMESTAMP_LTZ',
      'name',
      'is_default',
      'is_current',
      'origin',
      'owner',
      'comment',
      'options',
      'retention_time',
      'kind',
    ),
    rows,
  );
}

async function showSchemas(ctx: ExecContext, matches: (n: string) => boolean, scope: Scope): Promise<StatementResult> {
  const databases = scope.database ? [scope.database] : [...ctx.catalog.listDatabases().map((d) => d.name), SYSTEM_DATABASE];
  const rows: unknown[][] = [];
  for (const db of databases) {
    for (const s of await ctx.warehouse.listSchemas(db)) {
      if (scope.schema && s.toUpperCase() !== scope.schema.toUpperCase()) continue;
      const isCurrent = db === ctx.session.database && s === ctx.session.schema;
      // PUBLIC is made with its database; other schemas' creation is not recorded yet.
      const createdOn = s.toUpperCase() === 'PUBLIC' ? (ctx.catalog.database(db)?.createdOn ?? null) : null;
      if (matches(s)) rows.push([createdOn, s, 'N', flag(isCurrent), db, ctx.catalog.database(db)?.owner ?? 'SYSTEM', '', '', '1']);
    }
  }
  return queryResult(
    ctx.statement,
    columnsOf(
      'created_on:TIMESTAMP_LTZ',
      'name',
      'is_default',
      'is_current',
      'database_name',
      'owner',
      'comment',
      'options',
      'retention_time',
    ),
    rows,
  );
}

async function showTables(
  ctx: ExecContext,
  matches: (n: string) => boolean,
  scope: Scope,
  kind: 'TABLE' | 'VIEW',
): Promise<StatementResult> {
  const tables = (await ctx.warehouse.listTables(scope)).filter((t) => t.kind === kind && matches(t.name));
  const owner = (db: string): string => ctx.catalog.database(db)?.owner ?? 'SYSTEM';
  // DuckDB keeps no creation time; the OWNERSHIP grant recorded when the statement created the object does.
  const created = new Map(
    ctx.access
      .grants()
      .filter((g) => g.privilege === 'OWNERSHIP' && g.objectKind === 'TABLE')
      .map((g) => [g.objectName.toUpperCase(), g.createdOn]),
  );
  const createdOn = (t: (typeof tables)[number]): string | null =>
    created.get(displayName([t.database, t.schema, t.name]).toUpperCase()) ?? null;
  if (kind === 'VIEW') {
    const rows = tables.map((t) => [createdOn(t), t.name, '', t.database, t.schema, owner(t.database), t.comment ?? '']);
    return queryResult(
      ctx.statement,
      columnsOf('created_on:TIMESTAMP_LTZ', 'name', 'reserved', 'database_name', 'schema_name', 'owner', 'comment'),
      rows,
    );
  }
  const rows = tables.map((t) => [
    createdOn(t),
    t.name,
    t.database,
    t.schema,
    'TABLE',
    t.comment ?? '',
    '',
    t.rowCount,
    t.bytes,
    owner(t.database),
    '1',
  ]);
  return queryResult(ctx.statement, columnsOf(...TABLE_COLUMNS), rows);
}

async function showWarehouses(ctx: ExecContext, matches: (n: string) => boolean): Promise<StatementResult> {
  const rows = (await ctx.catalog.warehouses())
    .filter((w) => matches(w.name))
    .map((w) => {
      const started = w.options.INITIALLY_SUSPENDED !== true;
      return [
        w.name,
        started ? 'STARTED' : 'SUSPENDED',
        'STANDARD',
        w.size,
        1,
        1,
        0,
        0,
        'N',
        flag(w.name === ctx.session.warehouse),
        w.autoSuspend,
        w.autoResume ? 'true' : 'false',
        w.createdOn,
        w.owner,
        w.comment ?? '',
      ];
    });
  return queryResult(
    ctx.statement,
    columnsOf(
      'name',
      'state',
      'type',
      'size',
      'min_cluster_count:NUMBER',
      'max_cluster_count:NUMBER',
      'running:NUMBER',
      'queued:NUMBER',
      'is_default',
      'is_current',
      'auto_suspend:NUMBER',
      'auto_resume',
      'created_on:TIMESTAMP_LTZ',
      'owner',
      'comment',
    ),
    rows,
  );
}

async function showFileFormats(ctx: ExecContext, matches: (n: string) => boolean, scope: Scope): Promise<StatementResult> {
  const rows = (await ctx.catalog.fileFormats(scope))
    .filter((f) => matches(f.name))
    .map((f) => [
      f.createdOn,
      f.name,
      f.database,
      f.schema,
      f.type,
      f.owner,
      f.comment ?? '',
      JSON.stringify(Object.fromEntries(Object.entries(f.options).map(([k, v]) => [k, show(v)]))),
    ]);
  return queryResult(
    ctx.statement,
    columnsOf('created_on:TIMESTAMP_LTZ', 'name', 'database_name', 'schema_name', 'type', 'owner', 'comment', 'format_options'),
    rows,
  );
}

/** The columns of SHOW TABLES and SHOW OBJECTS. */
export const TABLE_COLUMNS = [
  'created_on:TIMESTAMP_LTZ',
  'name',
  'database_name',
  'schema_name',
  'kind',
  'comment',
  'cluster_by',
  'rows:NUMBER',
  'bytes:NUMBER',
  'owner',
  'retention_time',
];

const flag = (b: boolean): string => (b ? 'Y' : 'N');
