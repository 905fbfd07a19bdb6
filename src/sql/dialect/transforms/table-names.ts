import { ident, visitObjects, isIdent, type Ident, type Node } from '../ast.js';
import type { TransformContext } from '../context.js';
import { resolveTableName } from '../../identifiers.js';

/** Snowflake's reading of an identifier: unquoted names are upper case. */
export const identValue = (id: Ident): string => (id.quoted ? id.name : id.name.toUpperCase());

/** Names defined by WITH clauses anywhere in the statement, which are not tables. */
export function cteNames(ast: Node): Set<string> {
  const names = new Set<string>();
  visitObjects(ast, (o, key) => {
    if (key === 'ctes' && isIdent(o.alias)) names.add(identValue(o.alias));
  });
  return names;
}

/** Where a statement names the table it writes (the parser keeps these as bare table references). */
const WRITE_TARGETS: Record<string, string> = { insert: 'table', update: 'table', delete: 'table', truncate: 'table', alter_table: 'name' };

/**
 * Resolves every table name against the session (`t` → `"DB"."SCHEMA"."T"`), as Snowflake does,
 * and records each as a reference read or written. CTE names and table functions stay as written.
 */
export function qualifyTableNames(ast: Node, tc: TransformContext): void {
  const ctes = cteNames(ast);
  const seen = new Set<Node>();
  // The parser reads no qualified names in DELETE … USING: those tables resolve through the
  // connection's search path (the session's schema), which names the same table.
  const unqualified = new Set<Node>(ast.delete?.using ?? []);
  const resolve = (ref: Node, write: boolean): void => {
    if (seen.has(ref) || !isIdent(ref.name)) return;
    seen.add(ref);
    const parts = [ref.catalog, ref.schema, ref.name].filter(isIdent).map(identValue);
    if (parts.length === 1 && ctes.has(parts[0])) return;
    const info = parts.length - 2;
    if (info >= 0 && parts[info] === 'INFORMATION_SCHEMA') {
      const database = info === 1 ? parts[0] : resolveTableName(['X', 'X'], tc.session, tc.action).database;
      tc.infoViews?.push({ database, view: parts[info + 1] });
      // Read from the temporary table the statement fills before it runs (statements/information-schema.ts).
      ref.catalog = ident('temp');
      ref.schema = ident('main');
      ref.name = ident(`RP_INFO_${database}_${parts[info + 1]}`.toUpperCase());
      seen.add(ref);
      return;
    }
    const table = resolveTableName(parts, tc.session, tc.action);
    tc.refs.push({ table, write });
    if (unqualified.has(ref) && parts.length === 1) return;
    ref.catalog = ident(table.database);
    ref.schema = ident(table.schema);
    ref.name = ident(table.name);
  };
  for (const [kind, field] of Object.entries(WRITE_TARGETS)) {
    const target = ast[kind]?.[field];
    if (target) resolve(target, true);
  }
  const mergeTarget = ast.merge?.this?.table;
  if (mergeTarget) resolve(mergeTarget, true);
  visitObjects(ast, (o) => {
    if ('schema' in o && 'catalog' in o && isIdent(o.name)) resolve(o, false);
  });
}
