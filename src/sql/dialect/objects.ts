import type { TableName } from '../../warehouse/index.js';
import { resolveTableName, type NameContext } from '../identifiers.js';
import { isIdent, kindOf, visitObjects, type Node } from './ast.js';
import { nextvalSequence } from './transforms/sequences.js';
import { cteNames, identValue } from './transforms/table-names.js';

export type WriteKind = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'ALTER';

/** What one statement reads, writes, creates and drops, by full name (for privilege checks). */
export interface StatementObjects {
  readonly reads: TableName[];
  readonly writes: { readonly table: TableName; readonly kind: WriteKind }[];
  readonly creates: { readonly object: TableName; readonly kind: 'TABLE' | 'VIEW' }[];
  readonly drops: { readonly object: TableName; readonly kind: 'TABLE' | 'VIEW' }[];
  /** Sequences whose `nextval` the statement takes. */
  readonly sequences: TableName[];
}

/** The statement kinds that write a table, and where the parser keeps the target (MERGE: per clause, see mergeActions). */
const WRITES: Record<string, [WriteKind | 'MERGE', (body: Node) => Node | undefined]> = {
  insert: ['INSERT', (b) => b.table],
  update: ['UPDATE', (b) => b.table],
  delete: ['DELETE', (b) => b.table],
  truncate: ['TRUNCATE', (b) => b.table],
  alter_table: ['ALTER', (b) => b.name],
  // An aliased target (`merge into t as x`) is wrapped in an alias node.
  merge: ['MERGE', (b) => b.this?.table ?? b.this?.alias?.this?.table],
};

/**
 * The objects a parsed (untransformed) statement touches, resolved against the session's current
 * database and schema. CTE names are not tables; `information_schema` views are not listed.
 */
export function statementObjects(ast: Node, session: NameContext): StatementObjects {
  const kind = kindOf(ast) ?? '';
  const body = ast[kind] ?? {};
  const ctes = cteNames(ast);
  const resolve = (ref: Node): TableName | null => {
    const parts = [ref.catalog, ref.schema, ref.name].filter(isIdent).map(identValue);
    if (
      parts.length === 0 ||
      (parts.length === 1 && ctes.has(parts[0])) ||
      (parts.length >= 2 && parts[parts.length - 2] === 'INFORMATION_SCHEMA')
    )
      return null;
    return resolveTableName(parts, session, kind.toUpperCase());
  };
  const targets = new Set<Node>();
  const out: StatementObjects = { reads: [], writes: [], creates: [], drops: [], sequences: [] };
  // Other objects' DDL (functions, schemas, stages …) names no table: recpipe's handlers check it.
  if (/^(create|drop)_/.test(kind) && !['create_table', 'create_view', 'drop_table', 'drop_view'].includes(kind)) return out;
  const write = WRITES[kind];
  const target = write?.[1](body);
  if (write && target) {
    targets.add(target);
    const table = resolve(target);
    const kinds = write[0] === 'MERGE' ? mergeActions(body) : [write[0]];
    if (table) for (const k of kinds) out.writes.push({ table, kind: k });
  }
  if (kind === 'create_table' || kind === 'create_view') {
    targets.add(body.name);
    const object = resolve(body.name);
    if (object) out.creates.push({ object, kind: kind === 'create_table' ? 'TABLE' : 'VIEW' });
  }
  const dropped: Node[] = kind === 'drop_table' ? (body.names ?? []) : kind === 'drop_view' ? [body.name] : [];
  for (const ref of dropped) {
    targets.add(ref);
    const object = resolve(ref);
    if (object) out.drops.push({ object, kind: kind === 'drop_table' ? 'TABLE' : 'VIEW' });
  }
  visitObjects(ast, (o) => {
    const sequence = nextvalSequence(o);
    if (sequence) {
      const name = resolveTableName(sequence, session, kind.toUpperCase());
      if (!out.sequences.some((s) => sameName(s, name))) out.sequences.push(name);
    }
    if (!('schema' in o && 'catalog' in o && isIdent(o.name)) || targets.has(o)) return;
    const table = resolve(o);
    if (table && !out.reads.some((r) => sameName(r, table))) out.reads.push(table);
  });
  return out;
}

/**
 * What a MERGE's clauses do to its target, as Snowflake checks them: WHEN MATCHED THEN UPDATE needs
 * UPDATE, THEN DELETE needs DELETE, WHEN NOT MATCHED THEN INSERT needs INSERT; only clauses present count.
 */
function mergeActions(body: Node): WriteKind[] {
  const out = new Set<WriteKind>();
  for (const w of body.whens?.whens?.expressions ?? []) {
    const then = w.when?.then;
    const verb = String(then?.var?.this ?? then?.tuple?.expressions?.[0]?.var?.this ?? '').toUpperCase();
    if (verb === 'UPDATE' || verb === 'DELETE' || verb === 'INSERT') out.add(verb);
    else out.add(w.when?.matched?.boolean?.value === false ? 'INSERT' : 'UPDATE');
  }
  return [...out];
}

const sameName = (a: TableName, b: TableName): boolean => a.database === b.database && a.schema === b.schema && a.name === b.name;
