import type { TableName } from '../../warehouse/index.js';
import { resolveTableName, type NameContext } from '../identifiers.js';
import { isIdent, kindOf, visitObjects, type Node } from './ast.js';
import { cteNames, identValue } from './transforms/table-names.js';

export type WriteKind = 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE' | 'TRUNCATE' | 'ALTER';

/** What one statement reads, writes, creates and drops, by full name (for privilege checks). */
export interface StatementObjects {
  readonly reads: TableName[];
  readonly writes: { readonly table: TableName; readonly kind: WriteKind }[];
  readonly creates: { readonly object: TableName; readonly kind: 'TABLE' | 'VIEW' }[];
  readonly drops: { readonly object: TableName; readonly kind: 'TABLE' | 'VIEW' }[];
}

/** The statement kinds that write a table, and where the parser keeps the target. */
const WRITES: Record<string, [WriteKind, (body: Node) => Node | undefined]> = {
  insert: ['INSERT', (b) => b.table],
  update: ['UPDATE', (b) => b.table],
  delete: ['DELETE', (b) => b.table],
  truncate: ['TRUNCATE', (b) => b.table],
  alter_table: ['ALTER', (b) => b.name],
  merge: ['MERGE', (b) => b.this?.table],
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
  const out: StatementObjects = { reads: [], writes: [], creates: [], drops: [] };
  const write = WRITES[kind];
  const target = write?.[1](body);
  if (write && target) {
    targets.add(target);
    const table = resolve(target);
    if (table) out.writes.push({ table, kind: write[0] });
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
    if (!('schema' in o && 'catalog' in o && isIdent(o.name)) || targets.has(o)) return;
    const table = resolve(o);
    if (table && !out.reads.some((r) => sameName(r, table))) out.reads.push(table);
  });
  return out;
}

const sameName = (a: TableName, b: TableName): boolean => a.database === b.database && a.schema === b.schema && a.name === b.name;
