/**
 * Whether `role` may call external function `functionName` (upper case, e.g. INVOKE_MODEL). The
 * service asks this for every request; access control backs it with the roles' grants.
 */
export type UsageCheck = (role: string, functionName: string) => boolean;

/** Roles that hold USAGE on every function without a grant (they own them in the guide). */
const ADMIN_ROLES: ReadonlySet<string> = new Set(['ACCOUNTADMIN', 'SYSADMIN']);

/**
 * The built-in rule until grants are consulted: ACCOUNTADMIN and SYSADMIN may call every function,
 * other roles only what `grants` lists for them (role → function names); PUBLIC gets nothing by default.
 */
export function builtinUsage(grants: ReadonlyMap<string, ReadonlySet<string>> = new Map()): UsageCheck {
  return (role, functionName) => ADMIN_ROLES.has(role) || (grants.get(role)?.has(functionName) ?? false);
}
