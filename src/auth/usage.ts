/**
 * Whether `role` may call external function `functionName` (upper case, e.g. INVOKE_MODEL). The
 * service asks this for every request; access control backs it with the roles' grants.
 */
export type UsageCheck = (role: string, functionName: string) => boolean;
