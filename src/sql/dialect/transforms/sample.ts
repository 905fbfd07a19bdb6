import { visitObjects, type Node } from '../ast.js';

/**
 * `SAMPLE (n ROWS)` takes n rows. The parser's Snowflake generator writes it back as
 * `TABLESAMPLE BERNOULLI (n ROWS)`, which its DuckDB reading then takes as n percent; written
 * without the method it stays a row count (DuckDB's reservoir sample).
 */
export function sampleRows(ast: Node): void {
  visitObjects(ast, (o, key) => {
    if (key === 'table_sample' && o.method === 'Row' && o.unit_after_size) o.suppress_method_output = true;
  });
}
