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
import { canSee } from './privileges.js';
import { showGrants } from './show-grants.js';

/** Where SHOW looks: the whole account, one database, or one schema. */
export interface Scope {
  readonly database?: string;
  readonly schema?: string;
}

/** Whether an object named by database and schema lies in the scope. */
export const inScope = (scope: Scope, o: { readonly database: string; readonly schema: string }): boolean =>
  (!scope.database || o.database === scope.database) && (!scope.schema || o.schema === scope.schema);

const KINDS = ['DATABASES', 'SCHEMAS', 'TABLES', 'VIEWS', 'WAREHOUSES', 'FILE', 'STAGES'];

/** SHOW [TERSE] DATABASES | SCHEMAS | TABLES | VIEWS | WAREHOUSES | FILE FORMATS | STAGES [LIKE '…'] [IN ACCOUNT | DATABASE [db] | SCHEMA [s] | name]. */
export async function showObjects(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('SHOW');
  p.acceptWords('TERSE');
  if (p.acceptWords('GRANTS')) return showGrants(ctx, p);
  const listed = showListing(ctx, p);
  if (listed) return listed;
  if (p.acceptWords('COLUMNS')) return showColumns(ctx, p);
  if (p.acceptWords('OBJECTS')) return showTablesAndViews(ctx, p);
  const kind = p.acceptOneOf(KINDS);
  if (kind === null) {
    const more = ctx.listings.map((l) => l.plural.join(' ')).join(', ');
    return p.fail(
      `one of DATABASES, SCHEMAS, TABLES, VIEWS, OBJECTS, COLUMNS, WAREHOUSES, FILE FORMATS, STAGES, GRANTS${more ? `, ${more}` : ''} (recpipe supports these SHOW commands)`,
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
    case 'STAGES':
      return showStages(ctx, matches, scope);
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

/** A database SHOW may look in: the system catalog, or one the role owns or holds a privilege on. */
function existingDatabase(ctx: ExecContext, name: string): string {
  if (name.toUpperCase() === SYSTEM_DATABASE) return SYSTEM_DATABASE;
  if (!databaseVisible(ctx, name)) throw objectMissing('Database', [name]);
  return ctx.catalog.database(name)!.name;
}

function databaseVisible(ctx: ExecContext, name: string): boolean {
  if (name.toUpperCase() === SYSTEM_DATABASE) return true;
  const db = ctx.catalog.database(name);
  const object = { kind: 'DATABASE' as const, name: db?.name ?? name };
  return db !== undefined && db !== null && canSee(ctx, object, ctx.access.ownerOf(object) ?? db.owner);
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
    .filter((d) => canSee(ctx, { kind: 'DATABASE', name: d.name }, d.owner))
    .map((d) => [
      d.createdOn,
      d.name,
      'N',
      flag(d.name === ctx.session.database),
      '',
      d.owner,
      d.comment ?? '',
      '',
      '1',
      'STANDARD',
      null,
      'ROLE',
    ]);
  const system = [
    ctx.catalog.createdOn,
    SYSTEM_DATABASE,
    'N',
    'N',
    '',
    'SYSTEM',
    "recpipe's system catalog (read-only)",
    '',
    '0',
    'SYSTEM',
    null,
    '',
  ];
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
      'budget',
      'owner_role_type',
    ),
    rows,
  );
}

async function showSchemas(ctx: ExecContext, matches: (n: string) => boolean, scope: Scope): Promise<StatementResult> {
  const databases = scope.database ? [scope.database] : [...ctx.catalog.listDatabases().map((d) => d.name), SYSTEM_DATABASE];
  // A role sees the schemas it owns or holds a privilege on (the system catalog's are everyone's to read).
  const visible = (db: string, s: string): boolean => canSeeSchema(ctx, db, s);
  const rows: unknown[][] = [];
  for (const db of databases) {
    // Every database has an INFORMATION_SCHEMA (its views are emulated, see information-schema.ts), owned by no role.
    const schemas = [...(await ctx.warehouse.listSchemas(db)), INFORMATION_SCHEMA].sort();
    for (const s of schemas) {
      if ((scope.schema && s.toUpperCase() !== scope.schema.toUpperCase()) || !matches(s)) continue;
      const isCurrent = db === ctx.session.database && s === ctx.session.schema;
      if (s === INFORMATION_SCHEMA) {
        if (!databaseVisible(ctx, db)) continue;
        const createdOn = ctx.catalog.database(db)?.createdOn ?? ctx.catalog.createdOn;
        rows.push([createdOn, s, 'N', flag(isCurrent), db, '', INFORMATION_SCHEMA_COMMENT, '', '1', '', null]);
      } else if (visible(db, s)) {
        const owner = schemaOwner(ctx, db, s);
        rows.push([
          ctx.catalog.schemaCreatedOn(db, s),
          s,
          'N',
          flag(isCurrent),
          db,
          owner ?? 'SYSTEM',
          '',
          '',
          '1',
          owner ? 'ROLE' : '',
          null,
        ]);
      }
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
      'owner_role_type',
      'budget',
    ),
    rows,
  );
}

const INFORMATION_SCHEMA = 'INFORMATION_SCHEMA';
const INFORMATION_SCHEMA_COMMENT = 'Views describing the contents of schemas in this database';

async function showTables(
  ctx: ExecContext,
  matches: (n: string) => boolean,
  scope: Scope,
  kind: 'TABLE' | 'VIEW',
): Promise<StatementResult> {
  // A role sees the tables it owns or holds a privilege on; tables made before owners were recorded are their database owner's.
  const ownerOf = (t: { database: string; schema: string; name: string }): string | null =>
    ctx.access.ownerOf({ kind: 'TABLE', name: displayName([t.database, t.schema, t.name]) }) ??
    ctx.catalog.database(t.database)?.owner ??
    null;
  const tables = (await ctx.warehouse.listTables(scope)).filter(
    (t) =>
      t.kind === kind &&
      matches(t.name) &&
      (t.database === SYSTEM_DATABASE || canSee(ctx, { kind: 'TABLE', name: displayName([t.database, t.schema, t.name]) }, ownerOf(t))),
  );
  const owner = (t: (typeof tables)[number]): string => ownerOf(t) ?? 'SYSTEM';
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
    const rows = tables.map((t) => [createdOn(t), t.name, '', t.database, t.schema, owner(t), t.comment ?? '']);
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
    owner(t),
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

/** Named stages the role may use (owner, or READ/USAGE granted), in Snowflake's columns. */
function showStages(ctx: ExecContext, matches: (n: string) => boolean, scope: Scope): StatementResult {
  const rows = (ctx.stages?.list(scope) ?? [])
    .filter((st) => {
      const object = { kind: 'STAGE' as const, name: displayName([st.database, st.schema, st.name]) };
      return matches(st.name) && canSee(ctx, object, ctx.access.ownerOf(object) ?? st.owner);
    })
    .map((st) => [
      st.createdOn,
      st.name,
      st.database,
      st.schema,
      st.url ?? '',
      'N',
      'N',
      st.owner,
      st.comment ?? '',
      null,
      st.url === null ? 'INTERNAL' : 'EXTERNAL',
      null,
      null,
      null,
      null,
      'ROLE',
      'N',
    ]);
  return queryResult(
    ctx.statement,
    columnsOf(
      'created_on:TIMESTAMP_LTZ',
      'name',
      'database_name',
      'schema_name',
      'url',
      'has_credentials',
      'has_encryption_key',
      'owner',
      'comment',
      'region',
      'type',
      'cloud',
      'notification_channel',
      'storage_integration',
      'endpoint',
      'owner_role_type',
      'directory_enabled',
    ),
    rows,
  );
}

async function showFileFormats(ctx: ExecContext, matches: (n: string) => boolean, scope: Scope): Promise<StatementResult> {
  const rows = (await ctx.catalog.fileFormats(scope))
    .filter((f) => matches(f.name) && canSeeSchema(ctx, f.database, f.schema))
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

/** Whether the session's role sees a schema (and so what SHOW lists in it): it owns it or holds a privilege on it. */
export function canSeeSchema(ctx: ExecContext, db: string, schema: string): boolean {
  return db === SYSTEM_DATABASE || canSee(ctx, { kind: 'SCHEMA', name: displayName([db, schema]) }, schemaOwner(ctx, db, schema));
}

/** A schema's owner role: as recorded when it was created (or GRANT OWNERSHIP moved it), else its database's owner. */
function schemaOwner(ctx: ExecContext, db: string, schema: string): string | null {
  return ctx.access.ownerOf({ kind: 'SCHEMA', name: displayName([db, schema]) }) ?? ctx.catalog.database(db)?.owner ?? null;
}
