/**
 * Snowflake's system roles and their fixed hierarchy: ACCOUNTADMIN inherits SECURITYADMIN and
 * SYSADMIN, SECURITYADMIN inherits USERADMIN, and every role inherits PUBLIC. Built-in roles cannot
 * be created, dropped or re-parented.
 */
export const BUILTIN_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'USERADMIN', 'SYSADMIN', 'PUBLIC'] as const;

export const BUILTIN_PARENTS: Readonly<Record<string, readonly string[]>> = {
  ACCOUNTADMIN: ['SECURITYADMIN', 'SYSADMIN'],
  SECURITYADMIN: ['USERADMIN'],
};

/** The user a session runs as unless it names another: recpipe's local administrator, granted ACCOUNTADMIN. */
export const ADMIN_USER = 'ADMIN';

/** Roles that hold MANAGE GRANTS (grant and revoke anything) as in Snowflake. */
export const MANAGE_GRANTS_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN'] as const;

/** Roles that hold CREATE ROLE and CREATE USER. */
export const CREATE_ROLE_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'USERADMIN'] as const;

/**
 * recpipe's built-in SQL functions are owned by SYSADMIN (so ACCOUNTADMIN has them by inheritance);
 * other roles, PUBLIC included, need `grant usage on function …` — the guide grants them to sysadmin.
 */
export const BUILTIN_FUNCTION_OWNER = 'SYSADMIN';
export const BUILTIN_FUNCTIONS = ['TRAIN_AND_GET_RECOMMENDATIONS', 'DEPLOY_MODEL', 'INVOKE_MODEL', 'RECOMMEND'] as const;

export const isBuiltinRole = (role: string): boolean => (BUILTIN_ROLES as readonly string[]).includes(role.toUpperCase());
