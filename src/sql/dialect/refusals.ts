import { compilation } from '../errors.js';
import { isIdent, visitObjects, type Node } from './ast.js';
import { identValue } from './transforms/table-names.js';

/**
 * recpipe's own macros (src/sql/functions.ts) that transforms write, and the JS functions its
 * warehouse registers for itself (`recpipe_write_*` feeding table writes, `recpipe_connection_id`):
 * statements as users write them never name them.
 */
const INTERNAL = /^(rp|recpipe)_/i;

/**
 * Constructs a user's statement may not contain, refused before any transform adds its own:
 * calls of recpipe's internal `rp_*` macros and `recpipe_*` functions (implementation details, reported as Snowflake
 * reports an unknown function), and Time Travel (`AT(…)`/`BEFORE(…)` on a table), which needs
 * the table's history that recpipe does not keep.
 */
export function refuseUnsupported(ast: Node): void {
  visitObjects(ast, (o, key) => {
    if ((key === 'function' || key === 'aggregate_function') && typeof o.name === 'string' && INTERNAL.test(o.name)) {
      throw compilation('NOT_FOUND', `Unknown function ${o.name.toUpperCase()}`);
    }
    if (key === 'table' && o.when && typeof o.when === 'object' && isIdent(o.name)) {
      const clause = `${String(o.when.this?.identifier?.name ?? 'AT').toUpperCase()}(${String(o.when.kind ?? '').toUpperCase()} => …)`;
      throw compilation(
        'INVALID_ARGUMENT',
        `Time travel data is not available for table ${identValue(o.name)}: recpipe keeps no table history, so Time Travel ${clause} is not supported.`,
      );
    }
  });
}
