import { existsSync, rmSync } from 'node:fs';
import { RecpipeError } from '../../core/errors.js';
import { displayName, quoteIdent } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { DEFAULT_SCHEMA, SYSTEM_DATABASE, checkDatabaseName, resolveSchemaName } from '../identifiers.js';
import type { Parser } from '../parser.js';
import { statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { canSee, requireOwnership } from './privileges.js';
import { cloneSchemaObjects, existingSchema } from './schema-clone.js';
import { requireRoles } from './roles.js';

/** Modifiers shared by CREATE statements: `CREATE [OR REPLACE] <kind> [IF NOT EXISTS]`. */
export interface CreateHead {
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  /** CREATE TEMPORARY TABLE: dropped when the session ends. */
  readonly temporary?: boolean;
}

/** Snowflake objects that DuckDB has no place for; accepted and ignored only where they change nothing here. */
const IGNORED_DATABASE_OPTIONS = ['DATA_RETENTION_TIME_IN_DAYS', 'MAX_DATA_EXTENSION_TIME_IN_DAYS', 'DEFAULT_DDL_COLLATION', 'COMMENT'];

/** CREATE [OR REPLACE] [TRANSIENT] DATABASE [IF NOT EXISTS] name [CLONE source] [COMMENT = '…']: a new DuckDB file, attached, with schema PUBLIC. */
export async function createDatabase(ctx: ExecContext, p: Parser, head: CreateHead): Promise<StatementResult> {
  const name = checkDatabaseName(p.identifier('database name'));
  const cloneOf = p.acceptWords('CLONE') ? p.identifier('database name') : null;
  const opts = p.options();
  p.expectEnd();
  for (const key of opts.keys()) {
    if (!IGNORED_DATABASE_OPTIONS.includes(key))
      throw compilation(
        'INVALID_ARGUMENT',
        `invalid property '${key}' for CREATE DATABASE; supported: ${IGNORED_DATABASE_OPTIONS.join(', ')}`,
      );
  }
  // CREATE DATABASE is SYSADMIN's account privilege in Snowflake (ACCOUNTADMIN inherits it).
  requireRoles(ctx, 'CREATE DATABASE', ['SYSADMIN']);
  const source = cloneOf === null ? null : visibleDatabase(ctx, cloneOf);
  const existing = ctx.catalog.database(name);
  if (existing && head.ifNotExists) return statusResult(ctx.statement, `${existing.name} already exists, statement succeeded.`);
  if (existing && !head.orReplace) throw compilation('CONFLICT', `Object '${existing.name}' already exists.`);
  if (existing) requireOwnership(ctx, { kind: 'DATABASE', name: existing.name }, existing.owner, 'database');
  if (existing) await removeDatabase(ctx, existing.name, existing.file);
  const file = ctx.databaseFile(name);
  if (existsSync(file)) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `database file ${file} exists but recpipe's catalog has no database ${name}; move the file away before creating ${name}`,
    );
  }
  await ctx.warehouse.attachDatabase(name, file);
  await ctx.warehouse.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)}.${quoteIdent(DEFAULT_SCHEMA)}`);
  const comment = opts.get('COMMENT');
  await ctx.catalog.addDatabase({ name, file, owner: ctx.session.role, comment: typeof comment === 'string' ? comment : null });
  if (source) await cloneDatabaseSchemas(ctx, source, name);
  ctx.session.database = name;
  ctx.session.schema = DEFAULT_SCHEMA;
  return statusResult(ctx.statement, `Database ${name} successfully created.`);
}

function visibleDatabase(ctx: ExecContext, name: string): string {
  const db = ctx.catalog.database(name);
  if (!db || !canSee(ctx, { kind: 'DATABASE', name: db.name }, db.owner)) throw objectMissing('Database', [name]);
  return db.name;
}

/** CREATE DATABASE … CLONE: every schema of the source, with what CREATE SCHEMA … CLONE copies. */
async function cloneDatabaseSchemas(ctx: ExecContext, source: string, database: string): Promise<void> {
  for (const schema of await ctx.warehouse.listSchemas(source)) {
    if (schema.toUpperCase() !== DEFAULT_SCHEMA) {
      await ctx.warehouse.run(`CREATE SCHEMA ${quoteIdent(database)}.${quoteIdent(schema)}`);
      await ctx.catalog.addSchema(database, schema);
      await ctx.access.recordOwnership({ kind: 'SCHEMA', name: displayName([database, schema]) }, ctx.session.role);
    }
    await cloneSchemaObjects(ctx, { database: source, schema }, { database, schema });
  }
}

/** DROP DATABASE [IF EXISTS] name [CASCADE | RESTRICT]: detaches it and deletes its file. */
export async function dropDatabase(ctx: ExecContext, p: Parser, ifExists: boolean): Promise<StatementResult> {
  const name = p.identifier('database name');
  p.acceptOneOf(['CASCADE', 'RESTRICT']);
  p.expectEnd();
  if (name.toUpperCase() === SYSTEM_DATABASE)
    throw compilation('PERMISSION_DENIED', `database ${SYSTEM_DATABASE} is recpipe's system catalog and cannot be dropped.`);
  const found = ctx.catalog.database(name);
  const db = found && canSee(ctx, { kind: 'DATABASE', name: found.name }, found.owner) ? found : undefined;
  if (!db && ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${name} already dropped).`);
  if (!db) throw objectMissing('Database', [name]);
  requireOwnership(ctx, { kind: 'DATABASE', name: db.name }, db.owner, 'database');
  await removeDatabase(ctx, db.name, db.file);
  if (ctx.session.database?.toUpperCase() === db.name.toUpperCase()) {
    ctx.session.database = null;
    ctx.session.schema = null;
  }
  return statusResult(ctx.statement, `${db.name} successfully dropped.`);
}

async function removeDatabase(ctx: ExecContext, name: string, file: string): Promise<void> {
  await ctx.conn.useSchema(null, null);
  await ctx.warehouse.detachDatabase(name);
  for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
  await ctx.catalog.removeDatabase(name);
  await ctx.streams?.dropContained(name);
  await ctx.access.objectDropped({ kind: 'DATABASE', name });
}

/** CREATE [OR REPLACE] SCHEMA [IF NOT EXISTS] [db.]name: also becomes the session's current schema. */
export async function createSchema(ctx: ExecContext, p: Parser, head: CreateHead): Promise<StatementResult> {
  const { database, schema } = resolveSchemaName(p.objectName(2, 'schema name'), ctx.session, 'CREATE SCHEMA');
  const cloneOf = p.acceptWords('CLONE') ? resolveSchemaName(p.objectName(2, 'schema name'), ctx.session, 'CREATE SCHEMA') : null;
  p.options();
  p.expectEnd();
  const db = requireUserDatabase(ctx, database);
  const source = cloneOf ? await existingSchema(ctx, cloneOf) : null;
  const owner = ctx.catalog.database(db)?.owner ?? null;
  // CREATE SCHEMA on the database (or owning it), as in Snowflake; a database the role cannot see is missing.
  if (!canSee(ctx, { kind: 'DATABASE', name: db }, owner)) throw objectMissing('Database', [db]);
  if (!ctx.access.hasPrivilege(ctx.session.role, 'CREATE SCHEMA', { kind: 'DATABASE', name: db }, owner))
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `SQL access control error: Insufficient privileges to operate on database '${db}' (CREATE SCHEMA is needed)`,
    );
  const existing = (await ctx.warehouse.listSchemas(db)).find((s) => s.toUpperCase() === schema.toUpperCase());
  if (existing && head.ifNotExists) return statusResult(ctx.statement, `${existing} already exists, statement succeeded.`);
  if (existing && !head.orReplace) throw compilation('CONFLICT', `Object '${displayName([db, existing])}' already exists.`);
  if (existing) requireOwnership(ctx, { kind: 'SCHEMA', name: displayName([db, existing]) }, owner, 'schema');
  if (existing) {
    // A replaced schema is a new object: its grants and those of everything in it go with the old one.
    await dropSchemaObjects(ctx, db, existing);
    await ctx.access.objectDropped({ kind: 'SCHEMA', name: displayName([db, existing]) });
  }
  await ctx.warehouse.run(`CREATE SCHEMA ${quoteIdent(db)}.${quoteIdent(schema)}`);
  await ctx.catalog.addSchema(db, schema);
  // The creating role owns the schema: it grants on it, and alters or drops it.
  await ctx.access.recordOwnership({ kind: 'SCHEMA', name: displayName([db, schema]) }, ctx.session.role);
  if (source) await cloneSchemaObjects(ctx, source, { database: db, schema });
  ctx.session.database = db;
  ctx.session.schema = schema;
  return statusResult(ctx.statement, `Schema ${schema} successfully created.`);
}

/** DROP SCHEMA [IF EXISTS] [db.]name [CASCADE | RESTRICT] (CASCADE is Snowflake's default). */
export async function dropSchema(ctx: ExecContext, p: Parser, ifExists: boolean): Promise<StatementResult> {
  const { database, schema } = resolveSchemaName(p.objectName(2, 'schema name'), ctx.session, 'DROP SCHEMA');
  const restrict = p.acceptOneOf(['CASCADE', 'RESTRICT']) === 'RESTRICT';
  p.expectEnd();
  const db = requireUserDatabase(ctx, database);
  const existing = (await ctx.warehouse.listSchemas(db)).find((s) => s.toUpperCase() === schema.toUpperCase());
  if (!existing && ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${schema} already dropped).`);
  if (!existing) throw objectMissing('Schema', [db, schema]);
  const schemaObject = { kind: 'SCHEMA' as const, name: displayName([db, existing]) };
  requireOwnership(ctx, schemaObject, ctx.catalog.database(db)?.owner ?? null, 'schema');
  if (restrict && (await ctx.warehouse.listTables({ database: db, schema: existing })).length > 0) {
    throw compilation(
      'FAILED_PRECONDITION',
      `Cannot drop schema '${displayName([db, existing])}' with RESTRICT: it still contains tables or views.`,
    );
  }
  await dropSchemaObjects(ctx, db, existing);
  await ctx.access.objectDropped(schemaObject);
  if (ctx.session.database === db && ctx.session.schema?.toUpperCase() === existing.toUpperCase()) ctx.session.schema = null;
  return statusResult(ctx.statement, `${existing} successfully dropped.`);
}

async function dropSchemaObjects(ctx: ExecContext, db: string, schema: string): Promise<void> {
  await ctx.conn.useSchema(null, null);
  await ctx.warehouse.run(`DROP SCHEMA ${quoteIdent(db)}.${quoteIdent(schema)} CASCADE`);
  await ctx.catalog.removeSchemaObjects(db, schema);
  await ctx.streams?.dropContained(db, schema);
}

/** The stored name of a user database (the system catalog cannot be changed by SQL). */
export function requireUserDatabase(ctx: ExecContext, database: string): string {
  if (database.toUpperCase() === SYSTEM_DATABASE)
    throw compilation('PERMISSION_DENIED', `database ${SYSTEM_DATABASE} is recpipe's system catalog and is read-only.`);
  const db = ctx.catalog.database(database);
  if (!db) throw objectMissing('Database', [database]);
  return db.name;
}
