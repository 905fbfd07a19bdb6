import { displayName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { objectMissing } from '../errors.js';
import { requireUserDatabase } from './database.js';
import { cloneTable } from './create-table.js';
import { requireTablePrivileges } from './privileges.js';

export interface SchemaRef {
  readonly database: string;
  readonly schema: string;
}

/** The schema as the warehouse spells it; Snowflake's "does not exist" when it is missing. */
export async function existingSchema(ctx: ExecContext, ref: SchemaRef): Promise<SchemaRef> {
  const database = requireUserDatabase(ctx, ref.database);
  const schema = (await ctx.warehouse.listSchemas(database)).find((s) => s.toUpperCase() === ref.schema.toUpperCase());
  if (schema === undefined) throw objectMissing('Schema', [database, ref.schema]);
  return { database, schema };
}

/**
 * CREATE SCHEMA … CLONE source: each table of the source schema is cloned into the new one (its
 * columns, declared types and rows as they are now), owned by the creating role, which must be
 * able to read it. Views are not cloned (recpipe keeps no view definitions to re-point).
 */
export async function cloneSchemaTables(ctx: ExecContext, from: SchemaRef, to: SchemaRef): Promise<void> {
  for (const t of await ctx.warehouse.listTables({ database: from.database, schema: from.schema })) {
    if (t.kind !== 'TABLE') continue;
    requireTablePrivileges(ctx, [t.database, t.schema, t.name], ['SELECT']);
    const table = { database: to.database, schema: to.schema, name: t.name };
    await cloneTable(ctx, { database: t.database, schema: t.schema, name: t.name }, table);
    await ctx.access.tableCreated(
      { kind: 'TABLE', name: displayName([table.database, table.schema, table.name]) },
      displayName([to.database, to.schema]),
      ctx.session.role,
    );
  }
}
