import { ident, kindOf, visitObjects, type Node } from '../ast.js';

/**
 * A VALUES list used as a table names its columns COLUMN1, COLUMN2 … in Snowflake (DuckDB: col0 …),
 * unless an alias list names them. `FROM VALUES (…)` and `FROM (VALUES (…)) [AS] v` both.
 */
export function valuesColumns(ast: Node): void {
  visitObjects(ast, (o, key) => {
    if (key === 'from' && Array.isArray(o.expressions)) for (const item of o.expressions) name(item);
    else if (key === 'joins') name(o.this);
    else if (key === 'using') name(o);
  });
}

function name(item: Node | undefined): void {
  const kind = kindOf(item);
  let values: Node | undefined;
  let holder: Node | undefined;
  if (kind === 'values') {
    values = item!.values;
    holder = values;
  } else if (kind === 'subquery' && kindOf(item!.subquery.this) === 'values') {
    values = item!.subquery.this.values;
    holder = item!.subquery;
  }
  if (!values || !holder) return;
  if (Array.isArray(holder.column_aliases) && holder.column_aliases.length > 0) return;
  const width = values.expressions?.[0]?.expressions?.length ?? 0;
  if (width === 0) return;
  holder.alias ??= ident('RP_VALUES');
  holder.column_aliases = Array.from({ length: width }, (_, i) => ident(`COLUMN${i + 1}`));
}
