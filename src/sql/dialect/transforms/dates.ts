import { kindOf, lowerName, rewrite, type Node } from '../ast.js';
import { expr } from '../template.js';

const ADD_FUNCTIONS = new Set(['dateadd', 'timestampadd', 'date_add', 'timeadd']);

/** Snowflake's names of the date parts of a day or longer (DATEADD of a DATE by these stays a DATE). */
const DATE_PARTS = new Set(
  'year y yy yyy yyyy yr years yrs quarter q qtr qtrs quarters month mm mon mons months week w wk weekofyear woy wy weeks day d dd days dayofmonth'.split(
    ' ',
  ),
);

/** The date part a DATEADD names, written as a bare word or a string. */
function partName(part: Node): string | null {
  if (kindOf(part) === 'column' && !part.column.table) return String(part.column.name.name).toLowerCase();
  if (part?.literal?.literal_type === 'string') return String(part.literal.value).toLowerCase();
  if (kindOf(part) === 'var') return String(part.var.this).toLowerCase();
  return null;
}

/**
 * DATEADD(part, n, x) renders as `x + INTERVAL n PART`, which DuckDB reads only when n is a
 * plain number: a negative or computed amount is parenthesised (`INTERVAL (-7) DAY`). DuckDB makes
 * a TIMESTAMP of DATE + INTERVAL where Snowflake keeps a DATE when the part is a day or longer, as
 * ADD_MONTHS and DATE_TRUNC do: `rp_as_date_of(x, …)` (src/sql/functions.ts) casts back when x is a
 * DATE. TRUNC(x, 'part') of a date or time is DATE_TRUNC.
 */
export function dates(ast: Node): void {
  rewrite(ast, (node, kind) => {
    if (kind === 'add_months' && node.add_months.this) return expr('rp_as_date_of(__0, __1)', node.add_months.this, node);
    const name = lowerName(node);
    // TRUNC(date_or_time, 'part') is DATE_TRUNC; TRUNC(number, scale) stays a number's.
    if (name === 'trunc' && node.function.args.length === 2 && /^[A-Za-z_]+$/.test(node.function.args[1]?.literal?.value ?? ''))
      return node.function.args[1].literal.literal_type === 'string'
        ? expr(`rp_as_date_of(__0, date_trunc('${node.function.args[1].literal.value}', __0))`, node.function.args[0])
        : undefined;
    // DATE_TRUNC of a DATE is a DATE in Snowflake.
    if (name === 'date_trunc' && node.function.args.length === 2) return expr('rp_as_date_of(__0, __1)', node.function.args[1], node);
    if (name === null || !ADD_FUNCTIONS.has(name) || node.function.args.length !== 3) return undefined;
    const [part, amount, value] = node.function.args as Node[];
    if (kindOf(amount) !== 'literal' && kindOf(amount) !== 'paren') node.function.args[1] = expr('(__0)', amount);
    const unit = partName(part);
    return unit !== null && DATE_PARTS.has(unit) ? expr('rp_as_date_of(__0, __1)', value, node) : node;
  });
}
