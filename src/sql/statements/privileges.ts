import { RecpipeError } from '../../core/errors.js';
import type { AccessControl, SecurableObject } from '../../access/index.js';
import type { Catalog } from '../catalog.js';
import { displayName, type TableName } from '../../warehouse/index.js';
import { SessionKeyedCache, loadDialect, parse, parsedText, statementObjects } from '../dialect/index.js';
import type { ExecContext } from '../context.js';
import { PASSTHROUGH } from './passthrough.js';
import { objectMissing } from '../errors.js';
import { resolveTableName, SYSTEM_DATABASE, type NameContext } from '../identifiers.js';
import type { Statement } from '../tokens.js';
import { requireSequenceUsage } from './sequence.js';

/** The privilege each kind of write needs on its target (a MERGE lists one write per kind of clause). */
const WRITE_NEEDS: Record<string, readonly string[]> = {
  INSERT: ['INSERT'],
  UPDATE: ['UPDATE'],
  DELETE: ['DELETE'],
  TRUNCATE: ['TRUNCATE'],
  ALTER: ['OWNERSHIP'],
};

/** What a table privilege check needs: the grants, the databases and the caller's role and context. */
export interface PrivilegeScope {
  readonly access: AccessControl;
  readonly catalog: Catalog;
  readonly session: NameContext & { readonly role: string };
}

/**
 * Statements whose tables recpipe checks here, by first word: what passes through to DuckDB, less
 * transaction control, plus CREATE and DROP (recpipe's own statements check in their handlers).
 */
export const CHECKED_VERBS = new Set([
  ...[...PASSTHROUGH].filter((v) => !['BEGIN', 'START', 'COMMIT', 'ROLLBACK'].includes(v)),
  'CREATE',
  'DROP',
]);

/** What to record once the statement succeeded: ownership of what it created, the end of what it dropped. */
export type AfterStatement = () => Promise<void>;

/**
 * Snowflake's object privileges for one statement, from its read and write sets: USAGE on each
 * database (or owning it), SELECT on every table or view read, INSERT/UPDATE/DELETE/TRUNCATE on
 * the tables written, CREATE TABLE|VIEW on the schema (or owning the database) to create, OWNERSHIP
 * to alter or drop. A role with no privilege on a table is told it does not exist; one with some
 * privilege but not the needed one is told it lacks privileges. The system catalog stays readable.
 */
export async function checkObjectPrivileges(ctx: ExecContext): Promise<AfterStatement | null> {
  const objects = await parsedObjects(ctx);
  if (objects === null) return null;
  for (const ref of objects.reads) requireTablePrivileges(ctx, ref.name, ['SELECT']);
  for (const w of objects.writes) requireTablePrivileges(ctx, w.name, WRITE_NEEDS[w.kind]);
  for (const d of objects.drops) requireTablePrivileges(ctx, d.name, ['OWNERSHIP']);
  for (const c of objects.creates) requireCreate(ctx, c.name, c.kind);
  for (const s of objects.sequences) await requireSequenceUsage(ctx, s);
  return after(ctx, objects);
}

interface NamedObjects {
  readonly reads: readonly { readonly name: readonly string[] }[];
  readonly writes: readonly { readonly name: readonly string[]; readonly kind: string }[];
  readonly creates: readonly { readonly name: readonly string[]; readonly kind: 'TABLE' | 'VIEW' }[];
  readonly drops: readonly { readonly name: readonly string[]; readonly kind: 'TABLE' | 'VIEW' }[];
  readonly sequences: readonly TableName[];
}

/**
 * The statement's read and write sets from the dialect's syntax tree. A statement DuckDB runs after
 * translation is parsed once, for this check and its translation (`ctx.parsed`); others (recpipe's
 * own CREATE and DROP) are parsed in skeleton. A statement the parser cannot read is not checked
 * here: a query or DML statement then fails in its handler with the parser's own syntax error, and
 * recpipe's own statements check in their handlers.
 */
async function parsedObjects(ctx: ExecContext): Promise<NamedObjects | null> {
  await loadDialect();
  const { text, tokens } = ctx.statement;
  const translated = ctx.parsed !== undefined && PASSTHROUGH.has(tokens[0].value);
  const source = translated ? parsedText(text, tokens) : skeleton(ctx.statement);
  return requirements.get(`${translated ? 'tree' : 'skeleton'}\u0000${source}`, ctx.session, (session) => {
    let o;
    try {
      o = statementObjects(translated ? ctx.parsed!.read(source) : parse(source), session);
    } catch {
      return null;
    }
    const parts = (t: TableName): string[] => [t.database, t.schema, t.name];
    return {
      reads: o.reads.map((t) => ({ name: parts(t) })),
      writes: o.writes.map((w) => ({ name: parts(w.table), kind: w.kind })),
      creates: o.creates.map((c) => ({ name: parts(c.object), kind: c.kind })),
      drops: o.drops.map((d) => ({ name: parts(d.object), kind: d.kind })),
      sequences: o.sequences,
    };
  });
}

/**
 * What each statement needs, by its text and the session fields it was resolved with (its database
 * and schema): the parse is most of a short statement's check. The decision is never kept: the
 * grants are read on every call.
 */
const requirements = new SessionKeyedCache<ExecContext['session'], NamedObjects | null>(2_000);

const LITERAL = new Set(['string', 'number', 'param']);
const LITERAL_WORDS = new Set(['NULL', 'TRUE', 'FALSE']);

/**
 * The statement with every parenthesised group of literals (a VALUES row, an IN list) written as
 * `(0)`, and runs of such groups as one: no object can be named inside them, and the parser's time
 * grows with the text (a 1,000-row VALUES list takes it seconds), while this keeps it to milliseconds.
 */
export function skeleton(st: Statement): string {
  const t = st.tokens;
  let out = '';
  let from = 0;
  let lastGroupEnd = -1;
  for (let i = 0; i < t.length; i++) {
    if (t[i].value !== '(' || t[i].kind !== 'punct') continue;
    let j = i + 1;
    while (
      j < t.length &&
      (LITERAL.has(t[j].kind) ||
        (t[j].kind === 'word' && LITERAL_WORDS.has(t[j].value)) ||
        t[j].value === ',' ||
        t[j].value === '-' ||
        t[j].value === '+')
    )
      j++;
    if (j >= t.length || t[j].value !== ')' || j === i + 1) continue;
    // A group right after another literal group and a comma is dropped with that comma.
    const repeat = lastGroupEnd >= 0 && t[i - 1]?.value === ',' && t[i - 2]?.end === lastGroupEnd;
    out += st.text.slice(from, repeat ? t[i - 1].start : t[i].start) + (repeat ? '' : '(0)');
    from = t[j].end;
    lastGroupEnd = t[j].end;
    i = j;
  }
  return out + st.text.slice(from);
}

interface Resolved {
  readonly object: SecurableObject;
  readonly database: string;
  readonly schema: string;
  readonly dbOwner: string | null;
}

function resolve(ctx: PrivilegeScope, name: readonly string[]): Resolved | null {
  let t;
  try {
    t = resolveTableName(name, ctx.session, 'SELECT');
  } catch {
    return null; // no current database: the statement fails on its own with Snowflake's message
  }
  if (t.database.toUpperCase() === SYSTEM_DATABASE) return null;
  const db = ctx.catalog.database(t.database);
  if (!db) return null;
  return {
    object: { kind: 'TABLE', name: displayName([db.name, t.schema, t.name]) },
    database: db.name,
    schema: t.schema,
    dbOwner: db.owner,
  };
}

/**
 * Throws Snowflake's refusal unless the session's role may do `privileges` on the table `name`
 * (resolved in the session): it owns the table or its database, or holds USAGE on the database and
 * schema and every privilege asked (or ALL). No privilege at all reads as "does not exist".
 */
export function requireTablePrivileges(ctx: PrivilegeScope, name: readonly string[], privileges: readonly string[]): void {
  const r = resolve(ctx, name);
  if (r === null) return;
  const held = heldOnTable(ctx, r);
  if (held === null)
    throw new RecpipeError('NOT_FOUND', `SQL compilation error: Object '${r.object.name}' does not exist or not authorized.`);
  if (held.has('OWNERSHIP') || held.has('ALL') || privileges.every((p) => held.has(p))) return;
  throw new RecpipeError(
    'PERMISSION_DENIED',
    `SQL access control error: Insufficient privileges to operate on table '${name[name.length - 1]}'`,
  );
}

/**
 * Whether the session's role may see the table or view `name` at all, as Snowflake lists and describes
 * only those (SHOW, INFORMATION_SCHEMA): it owns it, or holds a privilege on it and USAGE on its schema.
 */
export function canSeeTable(ctx: PrivilegeScope, name: readonly string[]): boolean {
  const r = resolve(ctx, name);
  return r === null || heldOnTable(ctx, r) !== null;
}

/** The role's privileges on a table (OWNERSHIP for its owner), or null when the table does not exist for it. */
function heldOnTable(ctx: PrivilegeScope, r: Resolved): ReadonlySet<string> | null {
  const role = ctx.session.role;
  // Tables made before recpipe recorded table owners belong to their database's owner.
  const owner = ctx.access.ownerOf(r.object) ?? r.dbOwner;
  if (owner !== null && ctx.access.roleHasAny(role, [owner])) return new Set(['OWNERSHIP']);
  const held = ctx.access.privilegesOn(role, r.object);
  return hasUsage(ctx, r) && held.size > 0 ? held : null;
}

/** USAGE on the database and the schema, or owning the database. */
function hasUsage(ctx: PrivilegeScope, r: Resolved): boolean {
  const role = ctx.session.role;
  if (r.dbOwner !== null && ctx.access.roleHasAny(role, [r.dbOwner])) return true;
  const db = ctx.access.privilegesOn(role, { kind: 'DATABASE', name: r.database });
  const schema = ctx.access.privilegesOn(role, { kind: 'SCHEMA', name: displayName([r.database, r.schema]) });
  const usable = (s: Set<string>) => s.has('USAGE') || s.has('ALL') || s.has('OWNERSHIP');
  return usable(db) && usable(schema);
}

/** Throws unless the session's role may create a table, view, function, sequence or stream named `name`: it owns the database or holds CREATE on the schema. */
export function requireCreate(
  ctx: PrivilegeScope,
  name: readonly string[],
  kind: 'TABLE' | 'VIEW' | 'FUNCTION' | 'SEQUENCE' | 'STREAM' | 'TASK',
): void {
  const r = resolve(ctx, name);
  if (r === null) return;
  const role = ctx.session.role;
  if (r.dbOwner !== null && ctx.access.roleHasAny(role, [r.dbOwner])) return;
  if (!hasUsage(ctx, r)) throw objectMissing('Schema', [r.database, r.schema]);
  const held = ctx.access.privilegesOn(role, { kind: 'SCHEMA', name: displayName([r.database, r.schema]) });
  if (held.has(`CREATE ${kind}`) || held.has('ALL') || held.has('OWNERSHIP')) return;
  throw new RecpipeError(
    'PERMISSION_DENIED',
    `SQL access control error: Insufficient privileges to operate on schema '${r.schema}' (CREATE ${kind} is needed)`,
  );
}

/** Whether the role owns an object (`owner`, through its hierarchy) or holds any privilege on it: Snowflake shows it only then. */
export function canSee(ctx: PrivilegeScope, object: SecurableObject, owner: string | null): boolean {
  if (owner !== null && ctx.access.roleHasAny(ctx.session.role, [owner])) return true;
  return ctx.access.privilegesOn(ctx.session.role, object).size > 0;
}

/** Throws Snowflake's refusal unless the role owns the object (its owner is `owner` when the grants record none). */
export function requireOwnership(ctx: PrivilegeScope, object: SecurableObject, owner: string | null, label: string): void {
  const recorded = ctx.access.ownerOf(object) ?? owner;
  if (recorded !== null && ctx.access.roleHasAny(ctx.session.role, [recorded])) return;
  const held = ctx.access.privilegesOn(ctx.session.role, object);
  if (held.has('OWNERSHIP')) return;
  // An object the role holds nothing on does not exist for it, as in Snowflake.
  if (held.size === 0)
    throw new RecpipeError('NOT_FOUND', `SQL compilation error: Object '${object.name}' does not exist or not authorized.`);
  throw new RecpipeError(
    'PERMISSION_DENIED',
    `SQL access control error: Insufficient privileges to operate on ${label} '${object.name}' (only its owner role${recorded ? ` ${recorded}` : ''} may; current role ${ctx.session.role})`,
  );
}

function after(ctx: ExecContext, objects: NamedObjects): AfterStatement | null {
  if (objects.creates.length === 0 && objects.drops.length === 0) return null;
  const role = ctx.session.role;
  const created = objects.creates.map((c) => resolve(ctx, c.name)).filter((r): r is Resolved => r !== null);
  const dropped = objects.drops.map((d) => resolve(ctx, d.name)).filter((r): r is Resolved => r !== null);
  return async () => {
    for (const d of dropped) await ctx.access.objectDropped(d.object);
    for (const c of created) await ctx.access.tableCreated(c.object, displayName([c.database, c.schema]), role);
  };
}
