import { lowerName, rewrite, type Node } from '../ast.js';
import type { TransformContext } from '../context.js';
import { expr, stringLiteral } from '../template.js';

/** Snowflake's context functions, answered from the session (DuckDB knows no roles, warehouses or accounts). */
const VALUES: Record<string, (tc: TransformContext) => string | null> = {
  current_role: (tc) => tc.session.role,
  current_warehouse: (tc) => tc.session.warehouse,
  current_database: (tc) => tc.session.database,
  current_schema: (tc) => tc.session.schema,
  current_user: (tc) => tc.session.user ?? 'ADMIN',
  current_account: () => 'RECPIPE',
  current_account_name: () => 'RECPIPE',
  current_organization_name: () => 'RECPIPE',
  current_region: () => 'LOCAL',
  current_version: () => '8.0.0',
  current_client: () => 'recpipe',
  current_session: (tc) => tc.session.id ?? null,
};

/** Functions DuckDB knows under another name or form. */
// The parser's DuckDB output writes now() as CURRENT_TIMESTAMP(), which DuckDB does not know; GET_CURRENT_TIMESTAMP() passes through.
const RENAMED: Record<string, string> = {
  getdate: 'SYSDATE()',
  current_timestamp: 'get_current_timestamp()',
  localtimestamp: 'get_current_timestamp()',
  systimestamp: 'get_current_timestamp()',
  now: 'get_current_timestamp()',
};

export function contextFunctions(ast: Node, tc: TransformContext): void {
  rewrite(ast, (node) => {
    const name = lowerName(node);
    // A fractional-seconds precision (`current_timestamp(3)`) changes only how Snowflake displays it.
    if (name !== null && RENAMED[name] && (node.function.args.length === 0 || (name !== 'now' && isNumber(node.function.args[0]))))
      return expr(RENAMED[name]);
    // DuckDB's id of the open transaction; NULL outside one, as in Snowflake.
    if (name === 'current_transaction' && node.function.args.length === 0)
      return expr(tc.session.inTransaction ? 'CAST(txid_current() AS VARCHAR)' : 'CAST(NULL AS VARCHAR)');
    const value = name === null ? undefined : VALUES[name];
    if (!value || node.function.args.length > 0) return undefined;
    const v = value(tc);
    return v === null ? expr('NULL') : stringLiteral(v);
  });
}

const isNumber = (n: Node): boolean => n?.literal?.literal_type === 'number';
