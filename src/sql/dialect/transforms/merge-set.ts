import type { Node } from '../ast.js';

/**
 * MERGE … WHEN MATCHED THEN UPDATE SET tgt.col = …: Snowflake lets the target's alias qualify the
 * columns it sets; DuckDB takes bare column names there.
 */
export function mergeSetColumns(ast: Node): void {
  for (const when of ast.merge?.whens?.whens?.expressions ?? []) {
    const then = when?.when?.then?.tuple?.expressions;
    if (!Array.isArray(then) || then[0]?.var?.this?.toUpperCase?.() !== 'UPDATE') continue;
    for (const set of then[1]?.tuple?.expressions ?? []) {
      const column = set?.eq?.left?.column;
      if (column?.table) column.table = null;
    }
  }
}
