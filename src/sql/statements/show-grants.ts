import { ADMIN_USER, MANAGE_GRANTS_ROLES, type PrivilegeRow, type RoleGrantRow } from '../../access/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import type { Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { securable } from './grants.js';
import { canSee } from './privileges.js';

const COLUMNS = columnsOf('name', 'privilege', 'granted_on', 'granted_to', 'grantee_name', 'granted_by', 'created_on:TIMESTAMP_LTZ');

const same = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase();
const privilegeRow = (g: PrivilegeRow): unknown[] => [g.objectName, g.privilege, g.objectKind, 'ROLE', g.role, g.grantedBy, g.createdOn];
const roleRow = (g: RoleGrantRow): unknown[] => [g.role, 'USAGE', 'ROLE', g.granteeKind, g.grantee, g.grantedBy, g.createdOn];

/**
 * SHOW GRANTS [LIKE '…'] [ON <kind> name | TO ROLE r | TO USER u | OF ROLE r], filtered as Snowflake does: a
 * role sees grants on objects it owns or holds a privilege on, grants to roles it is or inherits,
 * and its own user's; roles with MANAGE GRANTS (SECURITYADMIN, ACCOUNTADMIN) see every grant.
 * Anything else reads as absent ("does not exist or not authorized").
 */
export async function showGrants(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const { access, session } = ctx;
  const admin = access.roleHasAny(session.role, MANAGE_GRANTS_ROLES);
  const user = session.user ?? ADMIN_USER;
  const privileges = (pick: (g: PrivilegeRow) => boolean): unknown[][] => access.grants().filter(pick).map(privilegeRow);
  const roles = (pick: (g: RoleGrantRow) => boolean): unknown[][] => access.roleGrants().filter(pick).map(roleRow);
  const visibleRole = (name: string): string => {
    const found = access.role(name);
    if (!found || !(admin || access.roleHasAny(session.role, [found.name])))
      throw compilation('NOT_FOUND', `Role '${name}' does not exist or not authorized.`);
    return found.name;
  };
  // LIKE is recpipe's addition, on the name column.
  const matches = likeMatcher(p.acceptWords('LIKE') ? p.string('LIKE pattern') : null);
  let rows: unknown[][];
  if (p.acceptWords('ON')) {
    const { object, owner } = await securable(ctx, p);
    p.expectEnd();
    if (!admin && !canSee(ctx, object, access.ownerOf(object) ?? owner))
      throw compilation('NOT_FOUND', `Object '${object.name}' does not exist or not authorized.`);
    rows = privileges((g) => g.objectKind === object.kind && same(g.objectName, object.name));
  } else if (p.acceptWords('TO', 'USER')) {
    const name = p.identifier('user name');
    p.expectEnd();
    const found = access.user(name);
    if (!found || !(admin || same(found.name, user))) throw compilation('NOT_FOUND', `User '${name}' does not exist or not authorized.`);
    rows = roles((g) => g.granteeKind === 'USER' && same(g.grantee, found.name));
  } else if (p.acceptWords('TO')) {
    p.acceptWords('ROLE');
    const role = visibleRole(p.identifier('role name'));
    p.expectEnd();
    rows = [...privileges((g) => same(g.role, role)), ...roles((g) => g.granteeKind === 'ROLE' && same(g.grantee, role))];
  } else if (p.acceptWords('OF', 'ROLE')) {
    const role = visibleRole(p.identifier('role name'));
    p.expectEnd();
    rows = roles((g) => same(g.role, role));
  } else {
    p.expectEnd();
    const mine = access.effectiveRoles(session.role);
    rows = admin
      ? [...privileges(() => true), ...roles(() => true)]
      : [
          ...privileges((g) => mine.has(g.role.toUpperCase())),
          ...roles((g) => (g.granteeKind === 'USER' ? same(g.grantee, user) : mine.has(g.grantee.toUpperCase()))),
        ];
  }
  return queryResult(
    ctx.statement,
    COLUMNS,
    rows.filter((r) => matches(String(r[0]))),
  );
}
