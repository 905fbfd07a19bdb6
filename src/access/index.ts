export { AccessControl, functionObject, type RoleInfo, type UserInfo, type SecurableObject } from './access-control.js';
export type { GranteeKind, ObjectKind, PrivilegeRow, RoleGrantRow } from './access-store.js';
export { guardFunction, insufficientPrivileges } from './function-guard.js';
export {
  ADMIN_USER,
  BUILTIN_FUNCTIONS,
  BUILTIN_FUNCTION_OWNER,
  BUILTIN_ROLES,
  CREATE_ROLE_ROLES,
  MANAGE_GRANTS_ROLES,
  isBuiltinRole,
} from './roles.js';
export { canonicalType, signatureText, type FunctionSignature } from './signature.js';
