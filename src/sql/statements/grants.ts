import { BUILTIN_FUNCTIONS, MANAGE_GRANTS_ROLES, functionObject, type GranteeKind, type SecurableObject } from '../../access/index.js';
import { displayName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { resolveSchemaName, resolveTableName, SYSTEM_DATABASE } from '../identifiers.js';
import { Parser } from '../parser.js';
import { statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { externalsOf, integrationObject, integrationOwner, visibleIntegration } from './api-integration.js';
import { visibleInListing } from './listings.js';
import { findSequence } from './sequence.js';
import { streamObject } from './stream.js';
import { requireRoles } from './roles.js';

/** Privileges recpipe records, per kind of object (ALL stands for every one of them). */
const PRIVILEGES: Readonly<Record<SecurableObject['kind'], readonly string[]>> = {
  FUNCTION: ['USAGE'],
  DATABASE: ['USAGE', 'MONITOR', 'MODIFY', 'CREATE SCHEMA'],
  SCHEMA: [
    'USAGE',
    'MONITOR',
    'MODIFY',
    'CREATE TABLE',
    'CREATE VIEW',
    'CREATE FUNCTION',
    'CREATE STAGE',
    'CREATE SEQUENCE',
    'CREATE STREAM',
    'CREATE TASK',
  ],
  TABLE: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES'],
  STAGE: ['USAGE', 'READ', 'WRITE'],
  'FUTURE TABLES': ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES'],
  INTEGRATION: ['USAGE'],
  // recpipe's own objects: only OWNERSHIP moves (GRANT OWNERSHIP ON ENDPOINT | TRAINING JOB).
  ENDPOINT: [],
  'TRAINING JOB': [],
  TASK: ['OPERATE', 'MONITOR'],
  SEQUENCE: ['USAGE'],
  STREAM: ['SELECT'],
};

/**
 * GRANT privilege[, …] ON FUNCTION|DATABASE|SCHEMA|TABLE name TO [ROLE] r [WITH GRANT OPTION],
 * GRANT ROLE r TO ROLE r2 | USER u, and the matching REVOKE … FROM. Only the object's owner (or a
 * role inheriting it) and roles with MANAGE GRANTS (SECURITYADMIN, ACCOUNTADMIN) may grant.
 */
export async function grantOrRevoke(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  const revoke = p.expectOneOf(['GRANT', 'REVOKE']) === 'REVOKE';
  if (revoke) p.acceptWords('GRANT', 'OPTION', 'FOR');
  if (p.acceptWords('ROLE')) return roleGrant(ctx, p, revoke);
  const privileges = privilegeList(p);
  p.expectWords('ON');
  const many = p.acceptWords('ALL', 'TABLES', 'IN', 'SCHEMA') ? 'ALL' : p.acceptWords('FUTURE', 'TABLES', 'IN', 'SCHEMA') ? 'FUTURE' : null;
  if (many !== null) return schemaTablesGrant(ctx, p, privileges, many, revoke);
  const { object, owner } = await securable(ctx, p);
  p.expectWords(revoke ? 'FROM' : 'TO');
  p.acceptWords('ROLE');
  const role = p.identifier('role name');
  if (!revoke) p.acceptWords('WITH', 'GRANT', 'OPTION');
  else p.acceptOneOf(['CASCADE', 'RESTRICT']);
  p.expectEnd();
  const found = ctx.access.role(role);
  if (!found) throw compilation('NOT_FOUND', `Role '${role}' does not exist or not authorized.`);
  if (privileges.length === 1 && privileges[0] === 'OWNERSHIP' && !revoke) {
    // GRANT OWNERSHIP moves the object to another role; only its owner or a MANAGE GRANTS role may.
    requireRoles(ctx, `GRANT OWNERSHIP on ${object.kind} ${object.name}`, [...(owner ? [owner] : []), ...MANAGE_GRANTS_ROLES]);
    await ctx.access.recordOwnership(object, found.name);
    return statusResult(ctx.statement, 'Statement executed successfully.');
  }
  const known = PRIVILEGES[object.kind];
  for (const priv of privileges) {
    if (priv !== 'ALL' && !known.includes(priv))
      throw compilation('INVALID_ARGUMENT', `Invalid privilege ${priv} for ${object.kind}; valid: ${[...known, 'ALL'].join(', ')}.`);
  }
  requireRoles(ctx, `${revoke ? 'REVOKE' : 'GRANT'} on ${object.kind} ${object.name}`, [...(owner ? [owner] : []), ...MANAGE_GRANTS_ROLES]);
  if (revoke) await ctx.access.revoke(privileges, object, found.name);
  else await ctx.access.grant(privileges, object, found.name, ctx.session.role);
  return statusResult(ctx.statement, 'Statement executed successfully.');
}

/**
 * GRANT … ON ALL TABLES IN SCHEMA s (each table there now) or ON FUTURE TABLES IN SCHEMA s (tables
 * created there later receive the grant), and the matching REVOKE; the database's owner or a MANAGE
 * GRANTS role may.
 */
async function schemaTablesGrant(
  ctx: ExecContext,
  p: Parser,
  privileges: string[],
  many: 'ALL' | 'FUTURE',
  revoke: boolean,
): Promise<StatementResult> {
  const { database, schema } = resolveSchemaName(p.objectName(2, 'schema name'), ctx.session, 'GRANT');
  p.expectWords(revoke ? 'FROM' : 'TO');
  p.acceptWords('ROLE');
  const role = p.identifier('role name');
  if (!revoke) p.acceptWords('WITH', 'GRANT', 'OPTION');
  p.expectEnd();
  const db = ctx.catalog.database(database);
  const found = db ? (await ctx.warehouse.listSchemas(db.name)).find((s) => s.toUpperCase() === schema.toUpperCase()) : undefined;
  if (!db || !found) throw objectMissing('Schema', [database, schema]);
  const grantee = ctx.access.role(role);
  if (!grantee) throw compilation('NOT_FOUND', `Role '${role}' does not exist or not authorized.`);
  for (const priv of privileges) {
    if (priv !== 'ALL' && !PRIVILEGES.TABLE.includes(priv))
      throw compilation('INVALID_ARGUMENT', `Invalid privilege ${priv} for TABLE; valid: ${[...PRIVILEGES.TABLE, 'ALL'].join(', ')}.`);
  }
  requireRoles(ctx, `${revoke ? 'REVOKE' : 'GRANT'} on ${many} TABLES IN SCHEMA ${db.name}.${found}`, [
    ...(db.owner ? [db.owner] : []),
    ...MANAGE_GRANTS_ROLES,
  ]);
  const objects: SecurableObject[] =
    many === 'FUTURE'
      ? [{ kind: 'FUTURE TABLES', name: displayName([db.name, found]) }]
      : (await ctx.warehouse.listTables({ database: db.name, schema: found })).map((t) => ({
          kind: 'TABLE' as const,
          name: displayName([db.name, found, t.name]),
        }));
  for (const object of objects) {
    if (revoke) await ctx.access.revoke(privileges, object, grantee.name);
    else await ctx.access.grant(privileges, object, grantee.name, ctx.session.role);
  }
  return statusResult(ctx.statement, 'Statement executed successfully.');
}

/** `USAGE`, `select, insert`, `ALL [PRIVILEGES]`, `CREATE SCHEMA` … up to ON. */
function privilegeList(p: Parser): string[] {
  const out: string[] = [];
  do {
    const words: string[] = [];
    while (p.peek()?.kind === 'word' && p.peek()!.value !== 'ON') words.push(p.identifier('privilege'));
    if (words.length === 0) p.fail('a privilege such as USAGE, SELECT or ALL');
    out.push(words[0] === 'ALL' ? 'ALL' : words.join(' '));
  } while (p.acceptPunct(','));
  return out;
}

/** The object of a grant and its owner (null when only MANAGE GRANTS roles may grant on it). */
export async function securable(ctx: ExecContext, p: Parser): Promise<{ object: SecurableObject; owner: string | null }> {
  const kind = (
    p.acceptWords('TRAINING', 'JOB')
      ? 'TRAINING JOB'
      : p.expectOneOf(['FUNCTION', 'DATABASE', 'SCHEMA', 'TABLE', 'VIEW', 'STAGE', 'INTEGRATION', 'ENDPOINT', 'TASK', 'SEQUENCE', 'STREAM'])
  ).replace('VIEW', 'TABLE') as SecurableObject['kind']; // a view's grants are a table's, as its reads are checked
  const account = accountObject(ctx, p, kind);
  if (account) return account;
  if (kind === 'FUNCTION') {
    const parts = p.objectName(3, 'function name');
    const argTypes = argumentTypes(p);
    // recpipe's functions are account-wide (DuckDB has one function namespace): the last part names it.
    const name = parts[parts.length - 1];
    const object = functionObject({ name, argTypes });
    const builtin = (BUILTIN_FUNCTIONS as readonly string[]).includes(name.toUpperCase());
    if (
      !builtin &&
      !externalsOf(ctx)
        .functions()
        .some((f) => functionObject(f).name === object.name)
    )
      throw compilation('NOT_FOUND', `Function '${object.name}' does not exist or not authorized.`);
    return { object, owner: ctx.access.functionOwner(name, argTypes) };
  }
  if (kind === 'DATABASE') {
    const name = p.identifier('database name');
    const db = ctx.catalog.database(name);
    if (!db || name.toUpperCase() === SYSTEM_DATABASE) throw objectMissing('Database', [name]);
    return { object: { kind, name: db.name }, owner: db.owner };
  }
  if (kind === 'SCHEMA') {
    const { database, schema } = resolveSchemaName(p.objectName(2, 'schema name'), ctx.session, 'GRANT');
    const db = ctx.catalog.database(database);
    const found = db ? (await ctx.warehouse.listSchemas(db.name)).find((s) => s.toUpperCase() === schema.toUpperCase()) : undefined;
    if (!db || !found) throw objectMissing('Schema', [database, schema]);
    return { object: { kind, name: displayName([db.name, found]) }, owner: db.owner };
  }
  if (kind === 'TASK') {
    const t = resolveTableName(p.objectName(3, 'task name'), ctx.session, 'GRANT');
    const task = ctx.tasks?.get(t);
    if (!task) throw compilation('NOT_FOUND', `Task '${displayName([t.database, t.schema, t.name])}' does not exist or not authorized.`);
    return { object: { kind, name: displayName([task.database, task.schema, task.name]) }, owner: task.owner };
  }
  if (kind === 'STREAM') {
    const t = resolveTableName(p.objectName(3, 'stream name'), ctx.session, 'GRANT');
    const def = ctx.streams?.get(t);
    if (!def) throw compilation('NOT_FOUND', `Stream '${displayName([t.database, t.schema, t.name])}' does not exist or not authorized.`);
    return { object: streamObject(def), owner: def.owner };
  }
  if (kind === 'SEQUENCE') {
    const t = resolveTableName(p.objectName(3, 'sequence name'), ctx.session, 'GRANT');
    const found = await findSequence(ctx, t);
    if (!found) throw objectMissing('Sequence', [t.database, t.schema, t.name]);
    return { object: found.object, owner: found.owner };
  }
  if (kind === 'STAGE') {
    const t = resolveTableName(p.objectName(3, 'stage name'), ctx.session, 'GRANT');
    const rec = await ctx.stages?.get(t.database, t.schema, t.name);
    if (!rec) throw objectMissing('Stage', [t.database, t.schema, t.name]);
    return { object: { kind, name: displayName([rec.database, rec.schema, rec.name]) }, owner: rec.owner };
  }
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'GRANT');
  const db = ctx.catalog.database(table.database);
  if (!db || (await ctx.warehouse.tableColumns(table)) === null) throw objectMissing('Table', [table.database, table.schema, table.name]);
  return { object: { kind, name: displayName([db.name, table.schema, table.name]) }, owner: db.owner };
}

/** Integrations, endpoints and training jobs: account objects named by one identifier (endpoints and jobs as written). */
function accountObject(
  ctx: ExecContext,
  p: Parser,
  kind: SecurableObject['kind'],
): { object: SecurableObject; owner: string | null } | null {
  if (kind === 'INTEGRATION') {
    const name = p.identifier('integration name');
    const i = visibleIntegration(ctx, name);
    if (!i) throw compilation('NOT_FOUND', `Integration '${name}' does not exist or not authorized.`);
    return { object: integrationObject(i.name), owner: integrationOwner(ctx, i) };
  }
  if (kind !== 'ENDPOINT' && kind !== 'TRAINING JOB') return null;
  const name = listedName(p);
  const listing = ctx.listings.find((l) => l.owned?.kind === kind);
  if (!listing?.owned || !visibleInListing(ctx, listing, name) || listing.describe(name) === null)
    throw compilation('NOT_FOUND', `${kind === 'ENDPOINT' ? 'Endpoint' : 'Training job'} '${name}' does not exist or not authorized.`);
  return { object: { kind, name }, owner: listing.owned.owner(name) };
}

/** An endpoint or job name, which need not be an identifier (movielens-model-v1): quoted, a string, or the text up to TO / FROM. */
function listedName(p: Parser): string {
  const first = p.peek();
  if (!first) return p.fail('a name');
  if (first.kind === 'string' || first.kind === 'quoted') {
    p.seek(p.position + 1);
    return first.value;
  }
  const start = first.start;
  let end = first.end;
  p.seek(p.position + 1);
  while (!p.atEnd() && !(p.peek()!.kind === 'word' && ['TO', 'FROM'].includes(p.peek()!.value))) {
    end = p.peek()!.end;
    p.seek(p.position + 1);
  }
  return p.statement.text.slice(start, end).trim();
}

/** `(varchar, number(38, 0), …)`: type names with any size or precision dropped. */
function argumentTypes(p: Parser): string[] {
  p.expectPunct('(');
  const types: string[] = [];
  if (p.acceptPunct(')')) return types;
  do {
    let name = p.identifier('argument type');
    if (name === 'DOUBLE' && p.acceptWords('PRECISION')) name = 'DOUBLE PRECISION';
    if (p.acceptPunct('(')) {
      do p.value();
      while (p.acceptPunct(','));
      p.expectPunct(')');
    }
    types.push(name);
  } while (p.acceptPunct(','));
  p.expectPunct(')');
  return types;
}

async function roleGrant(ctx: ExecContext, p: Parser, revoke: boolean): Promise<StatementResult> {
  const role = p.identifier('role name');
  p.expectWords(revoke ? 'FROM' : 'TO');
  const kind = p.expectOneOf(['ROLE', 'USER']) as GranteeKind;
  const grantee = p.identifier(`${kind.toLowerCase()} name`);
  p.expectEnd();
  const found = ctx.access.role(role);
  if (!found) throw compilation('NOT_FOUND', `Role '${role}' does not exist or not authorized.`);
  const target = kind === 'ROLE' ? ctx.access.role(grantee) : ctx.access.user(grantee);
  if (!target) throw compilation('NOT_FOUND', `${kind === 'ROLE' ? 'Role' : 'User'} '${grantee}' does not exist or not authorized.`);
  requireRoles(ctx, `${revoke ? 'REVOKE' : 'GRANT'} ROLE ${found.name}`, [...(found.builtin ? [] : [found.owner]), ...MANAGE_GRANTS_ROLES]);
  if (revoke) await ctx.access.revokeRole(found.name, { kind, name: target.name });
  else await ctx.access.grantRole(found.name, { kind, name: target.name }, ctx.session.role);
  return statusResult(ctx.statement, 'Statement executed successfully.');
}
