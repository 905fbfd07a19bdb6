import type { SecurableObject } from '../../access/index.js';
import { displayName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { objectMissing } from '../errors.js';
import { DEFAULT_SCHEMA, SYSTEM_DATABASE, resolveSchemaName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { EXECUTED, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { checkUseRole } from './roles.js';

/** USE ROLE | WAREHOUSE | DATABASE | SCHEMA name, and USE db[.schema]. */
export async function use(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('USE');
  const kind = p.acceptOneOf(['ROLE', 'WAREHOUSE', 'DATABASE', 'SCHEMA']);
  const parts = p.objectName(kind === 'SCHEMA' || kind === null ? 2 : 1);
  p.expectEnd();
  if (kind === 'ROLE') useRole(ctx, parts[0]);
  else if (kind === 'WAREHOUSE') await useWarehouse(ctx, parts[0]);
  else if (kind === 'DATABASE' || (kind === null && parts.length === 1)) await useDatabase(ctx, parts[0]);
  else await useSchema(ctx, parts);
  return statusResult(ctx.statement, EXECUTED);
}

function useRole(ctx: ExecContext, role: string): void {
  ctx.session.role = checkUseRole(ctx.access, ctx.session.user, role);
}

async function useWarehouse(ctx: ExecContext, name: string): Promise<void> {
  const wh = await ctx.catalog.warehouse(name);
  if (!wh) throw objectMissing('Warehouse', [name]);
  ctx.session.warehouse = wh.name;
}

/** Snowflake makes PUBLIC the current schema when the database has one. */
async function useDatabase(ctx: ExecContext, name: string): Promise<void> {
  const db = knownDatabase(ctx, name);
  const schemas = await ctx.warehouse.listSchemas(db.name);
  ctx.session.database = db.name;
  ctx.session.schema = schemas.find((s) => s.toUpperCase() === DEFAULT_SCHEMA) ?? null;
}

async function useSchema(ctx: ExecContext, parts: string[]): Promise<void> {
  const { database, schema } = resolveSchemaName(parts, ctx.session, 'USE SCHEMA');
  const db = knownDatabase(ctx, database);
  const found = (await ctx.warehouse.listSchemas(db.name)).find((s) => s.toUpperCase() === schema.toUpperCase());
  if (!found || !usable(ctx, { kind: 'SCHEMA', name: displayName([db.name, found]) }, db)) throw objectMissing('Schema', [db.name, schema]);
  ctx.session.database = db.name;
  ctx.session.schema = found;
}

/**
 * A user database the role may use (USAGE, or owning it), or the read-only system catalog (which
 * anyone may browse with USE); any other reads as absent, as in Snowflake.
 */
function knownDatabase(ctx: ExecContext, name: string): { name: string; owner: string | null } {
  const db = ctx.catalog.database(name) ?? (name.toUpperCase() === SYSTEM_DATABASE ? { name: SYSTEM_DATABASE, owner: null } : undefined);
  if (!db || (db.name !== SYSTEM_DATABASE && !usable(ctx, { kind: 'DATABASE', name: db.name }, db)))
    throw objectMissing('Database', [name]);
  return db;
}

/** USAGE (or ALL, or OWNERSHIP) on the object; owning its database counts as owning it. */
function usable(ctx: ExecContext, object: SecurableObject, db: { name: string; owner: string | null }): boolean {
  if (db.owner !== null && ctx.access.roleHasAny(ctx.session.role, [db.owner])) return true;
  return ctx.access.hasPrivilege(ctx.session.role, 'USAGE', object, ctx.access.ownerOf(object));
}
