import { isIdent, visitObjects, type Node } from './ast.js';
import { identValue } from './transforms/table-names.js';

/** The column names a statement refers to and every other name it spells, as Snowflake reads them. */
export interface NamesUsed {
  /** Names of column references (`t.a` → `A`, `"a"` → `a`). */
  readonly columns: readonly string[];
  /** Every other identifier of the statement (aliases, CTE columns, tables …): a reference spelled like one of these may name it. */
  readonly spelled: ReadonlySet<string>;
}

/**
 * Collected from the parsed statement before any transform adds names of its own, so that the
 * executor can hold references to Snowflake's case rules after DuckDB matched them in any case.
 */
export function namesUsed(ast: Node): NamesUsed {
  const columns: string[] = [];
  const columnIdents = new Set<unknown>();
  const spelled = new Set<string>();
  visitObjects(ast, (o, key) => {
    if (key === 'column' && isIdent(o.name)) {
      columns.push(identValue(o.name));
      columnIdents.add(o.name);
    }
  });
  visitObjects(ast, (o) => {
    if (isIdent(o) && !columnIdents.has(o)) spelled.add(identValue(o));
  });
  return { columns, spelled };
}
