import { RecpipeError } from '../../core/errors.js';
import { displayName, quoteIdent, quoteTableName, rowRecords } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { objectMissing } from '../errors.js';
import { requireUserDatabase } from './database.js';
import { cloneTable } from './create-table.js';
import { escapeRegExp } from '../results.js';
import { runTranslated } from './passthrough.js';
import { requireTablePrivileges } from './privileges.js';
import { HIDDEN_PREFIX } from './sequence.js';

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
 * CREATE SCHEMA … CLONE source (and each schema of CREATE DATABASE … CLONE): the source's tables
 * (columns, declared types and rows as they are now), views, sequences (continuing from their
 * current value) and file formats, owned by the creating role, which must be able to read them.
 * A view that named objects of the source schema names those of the clone, as a Snowflake view
 * written with names relative to its schema does.
 */
export async function cloneSchemaObjects(ctx: ExecContext, from: SchemaRef, to: SchemaRef): Promise<void> {
  const owned = (name: string) =>
    ctx.access.tableCreated(
      { kind: 'TABLE', name: displayName([to.database, to.schema, name]) },
      displayName([to.database, to.schema]),
      ctx.session.role,
    );
  const relations = await ctx.warehouse.listTables({ database: from.database, schema: from.schema });
  for (const t of relations.filter((r) => r.kind === 'TABLE')) {
    requireTablePrivileges(ctx, [t.database, t.schema, t.name], ['SELECT']);
    await cloneTable(
      ctx,
      { database: t.database, schema: t.schema, name: t.name },
      { database: to.database, schema: to.schema, name: t.name },
    );
    await owned(t.name);
  }
  const views = rowRecords(
    await ctx.conn.run(
      'SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND lower(database_name) = lower(?) AND lower(schema_name) = lower(?) ORDER BY view_oid',
      [from.database, from.schema],
    ),
  );
  for (const v of views) {
    const name = String(v.view_name);
    requireTablePrivileges(ctx, [from.database, from.schema, name], ['SELECT']);
    const table = { database: to.database, schema: to.schema, name };
    const query = repoint(viewQuery(String(v.sql)), from, to);
    await runTranslated(ctx, { sql: `CREATE VIEW ${quoteTableName(table)} AS ${query}`, refs: [{ table, write: true }], params: 0 });
    await owned(name);
  }
  await cloneSequences(ctx, from, to);
  for (const f of await ctx.catalog.fileFormats({ database: from.database, schema: from.schema })) {
    await ctx.catalog.putFileFormat({ ...f, database: to.database, schema: to.schema, owner: ctx.session.role }, false);
  }
}

/** A sequence's clone continues where the source is: its next value is the source's next value. */
async function cloneSequences(ctx: ExecContext, from: SchemaRef, to: SchemaRef): Promise<void> {
  const sequences = rowRecords(
    await ctx.conn.run(
      `SELECT sequence_name, start_value, increment_by, last_value FROM duckdb_sequences()
        WHERE lower(database_name) = lower(?) AND lower(schema_name) = lower(?) AND NOT starts_with(sequence_name, ?)`,
      [from.database, from.schema, HIDDEN_PREFIX],
    ),
  );
  for (const q of sequences) {
    const step = Number(q.increment_by);
    const next = q.last_value === null ? Number(q.start_value) : Number(q.last_value) + step;
    const name = quoteTableName({ database: to.database, schema: to.schema, name: String(q.sequence_name) });
    await ctx.conn.run(`CREATE SEQUENCE ${name} START WITH ${Math.trunc(next)} INCREMENT BY ${Math.trunc(step)}`);
  }
}

/** The query of DuckDB's `CREATE VIEW name AS query;` text. */
function viewQuery(sql: string): string {
  const at = /\sAS\s/i.exec(sql);
  if (!at) throw new RecpipeError('INTERNAL', `cannot read the definition of a view to clone: ${sql.slice(0, 80)}`);
  return sql.slice(at.index + at[0].length).replace(/;\s*$/, '');
}

/** Names of the source schema's objects, as DuckDB prints them (quoted or not), re-pointed to the clone's schema. */
function repoint(query: string, from: SchemaRef, to: SchemaRef): string {
  const part = (name: string) => `(?:"${escapeRegExp(name.replaceAll('"', '""'))}"|${escapeRegExp(name)})`;
  const prefix = new RegExp(`(^|[^\\w".$])${part(from.database)}\\.${part(from.schema)}\\.`, 'gi');
  return query.replace(prefix, (_, before: string) => `${before}${quoteIdent(to.database)}.${quoteIdent(to.schema)}.`);
}
