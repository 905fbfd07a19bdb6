import { ADMIN_USER, CREATE_ROLE_ROLES, MANAGE_GRANTS_ROLES, type AccessControl } from '../../access/index.js';
import { fingerprintOf, parseRsaPublicKey } from '../../auth/rsa-public-key.js';
import { RecpipeError } from '../../core/errors.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import { Parser } from '../parser.js';
import { statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import type { Statement } from '../tokens.js';
import type { ObjectListing } from './listings.js';

/** Snowflake's refusal of an account-level action the current role may not take. */
export function notAllowed(ctx: ExecContext, action: string, holders: readonly string[]): RecpipeError {
  return new RecpipeError(
    'PERMISSION_DENIED',
    `SQL access control error: Insufficient privileges to operate on account: ${action} needs ${holders.join(', ')} or a role that inherits one (current role ${ctx.session.role}).`,
  );
}

export function requireRoles(ctx: ExecContext, action: string, holders: readonly string[]): void {
  if (!ctx.access.roleHasAny(ctx.session.role, holders)) throw notAllowed(ctx, action, holders);
}

/** True for CREATE [OR REPLACE] ROLE|USER …, DROP ROLE|USER … and ALTER USER …, which this module executes. */
export function isRoleOrUserStatement(st: Statement): boolean {
  const words = st.tokens.slice(0, 4).map((t) => (t.kind === 'word' ? t.value : ''));
  if (words[0] === 'ALTER') return words[1] === 'USER';
  const kind = words[0] === 'CREATE' && words[1] === 'OR' && words[2] === 'REPLACE' ? words[3] : words[1];
  return (words[0] === 'CREATE' || words[0] === 'DROP') && (kind === 'ROLE' || kind === 'USER');
}

/** CREATE [OR REPLACE] ROLE|USER [IF NOT EXISTS] name …, DROP ROLE|USER [IF EXISTS] name, or ALTER USER. */
export function roleOrUserStatement(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  if (p.acceptWords('ALTER')) return alterUser(ctx, p);
  if (p.acceptWords('DROP')) {
    const kind = p.expectOneOf(['ROLE', 'USER']);
    const ifExists = p.acceptWords('IF', 'EXISTS');
    const name = p.identifier(`${kind.toLowerCase()} name`);
    p.expectEnd();
    return kind === 'ROLE' ? dropRole(ctx, name, ifExists) : dropUser(ctx, name, ifExists);
  }
  p.expectWords('CREATE');
  const orReplace = p.acceptWords('OR', 'REPLACE');
  const kind = p.expectOneOf(['ROLE', 'USER']);
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  if (orReplace && ifNotExists) throw compilation('INVALID_ARGUMENT', 'OR REPLACE and IF NOT EXISTS are incompatible.');
  const name = p.identifier(`${kind.toLowerCase()} name`);
  const opts = p.options();
  p.expectEnd();
  const allowed = kind === 'ROLE' ? ['COMMENT'] : ['PASSWORD', 'DEFAULT_ROLE', 'COMMENT', ...KEY_OPTIONS];
  for (const key of opts.keys())
    if (!allowed.includes(key))
      throw compilation('INVALID_ARGUMENT', `invalid property '${key}' for CREATE ${kind}; supported: ${allowed.join(', ')}`);
  const text = (key: string): string | null => {
    const v = opts.get(key);
    if (v === undefined || v === null) return null;
    // Never echo a PASSWORD value back, even in an error.
    if (typeof v !== 'string' && typeof v !== 'number') throw compilation('INVALID_ARGUMENT', `${key} must be a string`);
    return String(v);
  };
  if (kind === 'ROLE') return createRole(ctx, name, text('COMMENT'), orReplace, ifNotExists);
  const keys = publicKeys(opts);
  return createUser(ctx, name, { password: text('PASSWORD'), defaultRole: text('DEFAULT_ROLE'), keys }, orReplace, ifNotExists);
}

/** The user options of key-pair authentication, slots 1 and 2 (two slots let a key be rotated without downtime). */
const KEY_OPTIONS = ['RSA_PUBLIC_KEY', 'RSA_PUBLIC_KEY_2'];

/** RSA_PUBLIC_KEY[_2] values, checked (an RSA key of 2048 bits or more); null unsets a slot. */
function publicKeys(opts: ReadonlyMap<string, unknown>, unset: readonly string[] = []): { 1?: string | null; 2?: string | null } {
  const keys: { 1?: string | null; 2?: string | null } = {};
  for (const [slot, option] of [
    [1, 'RSA_PUBLIC_KEY'],
    [2, 'RSA_PUBLIC_KEY_2'],
  ] as const) {
    const v = opts.get(option);
    if (unset.includes(option)) keys[slot] = null;
    if (v === undefined) continue;
    if (typeof v !== 'string') throw compilation('INVALID_ARGUMENT', `${option} must be a string`);
    keys[slot] = parseRsaPublicKey(v).base64;
  }
  return keys;
}

/**
 * ALTER USER [IF EXISTS] name SET RSA_PUBLIC_KEY[_2] = '…' | MINS_TO_UNLOCK = n | DISABLED = TRUE|FALSE [, …]
 * | UNSET RSA_PUBLIC_KEY[_2] | DISABLED [, …]: key-pair sign-in keys, ending (0) or setting a sign-in
 * lock, and disabling a user (its sessions end), as user administrators may.
 */
async function alterUser(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  p.expectWords('USER');
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const name = p.identifier('user name');
  const action = p.expectOneOf(['SET', 'UNSET']);
  const supported = [...KEY_OPTIONS, 'MINS_TO_UNLOCK', 'DISABLED'];
  let keys: { 1?: string | null; 2?: string | null };
  let minutes: number | undefined;
  let disabled: boolean | undefined;
  if (action === 'SET') {
    const opts = p.options();
    if (opts.size === 0) p.fail(`one of ${supported.join(', ')} = value`);
    for (const key of opts.keys())
      if (!supported.includes(key))
        throw compilation('INVALID_ARGUMENT', `ALTER USER … SET ${key} is not supported by recpipe; supported: ${supported.join(', ')}`);
    keys = publicKeys(opts);
    const mins = opts.get('MINS_TO_UNLOCK');
    if (mins !== undefined && (typeof mins !== 'number' || !Number.isInteger(mins) || mins < 0))
      throw compilation('INVALID_ARGUMENT', 'ALTER USER … SET MINS_TO_UNLOCK needs a whole number of minutes, 0 or more');
    minutes = mins as number | undefined;
    const off = opts.get('DISABLED');
    if (off !== undefined && typeof off !== 'boolean')
      throw compilation('INVALID_ARGUMENT', 'ALTER USER … SET DISABLED needs TRUE or FALSE');
    disabled = off;
  } else {
    const names: string[] = [];
    do names.push(p.expectOneOf([...KEY_OPTIONS, 'DISABLED']));
    while (p.acceptPunct(','));
    keys = publicKeys(new Map(), names);
    if (names.includes('DISABLED')) disabled = false;
  }
  p.expectEnd();
  requireRoles(ctx, 'ALTER USER', CREATE_ROLE_ROLES);
  const existing = ctx.access.user(name);
  if (!existing && ifExists) return statusResult(ctx.statement, 'Statement executed successfully.');
  if (!existing) throw compilation('NOT_FOUND', `User '${name}' does not exist or not authorized.`);
  if (Object.keys(keys).length > 0) {
    if (existing.name === ADMIN_USER)
      throw compilation(
        'INVALID_ARGUMENT',
        `user ${ADMIN_USER} is recpipe's built-in administrator: it signs in with the owner token, not a key pair.`,
      );
    await ctx.access.setUserKeys(existing.name, keys);
  }
  if (minutes !== undefined) await ctx.access.setMinsToUnlock(existing.name, minutes);
  if (disabled !== undefined) {
    if (existing.name === ADMIN_USER && disabled)
      throw compilation('INVALID_ARGUMENT', `user ${ADMIN_USER} is recpipe's built-in administrator and cannot be disabled.`);
    await ctx.access.setUserDisabled(existing.name, disabled);
  }
  return statusResult(ctx.statement, 'Statement executed successfully.');
}

async function createRole(
  ctx: ExecContext,
  name: string,
  comment: string | null,
  orReplace: boolean,
  ifNotExists: boolean,
): Promise<StatementResult> {
  requireRoles(ctx, 'CREATE ROLE', CREATE_ROLE_ROLES);
  const existing = ctx.access.role(name);
  if (existing && ifNotExists) return statusResult(ctx.statement, `${existing.name} already exists, statement succeeded.`);
  if (existing && !orReplace) throw compilation('CONFLICT', `Object '${existing.name}' already exists.`);
  await ctx.access.createRole(name, ctx.session.role, comment, existing !== undefined);
  return statusResult(ctx.statement, `Role ${name} successfully created.`);
}

async function dropRole(ctx: ExecContext, name: string, ifExists: boolean): Promise<StatementResult> {
  const existing = ctx.access.role(name);
  if (!existing && ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${name} already dropped).`);
  if (!existing) throw compilation('NOT_FOUND', `Role '${name}' does not exist or not authorized.`);
  if (!existing.builtin) requireRoles(ctx, `DROP ROLE ${existing.name}`, [existing.owner, ...MANAGE_GRANTS_ROLES]);
  await ctx.access.dropRole(existing.name, ctx.session.role);
  if (ctx.session.role.toUpperCase() === existing.name.toUpperCase()) ctx.session.role = 'PUBLIC';
  return statusResult(ctx.statement, `${existing.name} successfully dropped.`);
}

async function createUser(
  ctx: ExecContext,
  name: string,
  { password, defaultRole, keys }: { password: string | null; defaultRole: string | null; keys: { 1?: string | null; 2?: string | null } },
  orReplace: boolean,
  ifNotExists: boolean,
): Promise<StatementResult> {
  requireRoles(ctx, 'CREATE USER', CREATE_ROLE_ROLES);
  const existing = ctx.access.user(name);
  if (existing && ifNotExists) return statusResult(ctx.statement, `${existing.name} already exists, statement succeeded.`);
  if (existing && !orReplace) throw compilation('CONFLICT', `User '${existing.name}' already exists.`);
  if (defaultRole !== null && !ctx.access.role(defaultRole))
    throw compilation('NOT_FOUND', `Role '${defaultRole}' does not exist or not authorized.`);
  await ctx.access.createUser(name, password, defaultRole?.toUpperCase() ?? null, existing !== undefined, keys);
  return statusResult(ctx.statement, `User ${name} successfully created.`);
}

async function dropUser(ctx: ExecContext, name: string, ifExists: boolean): Promise<StatementResult> {
  requireRoles(ctx, 'DROP USER', CREATE_ROLE_ROLES);
  const existing = ctx.access.user(name);
  if (!existing && ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${name} already dropped).`);
  if (!existing) throw compilation('NOT_FOUND', `User '${name}' does not exist or not authorized.`);
  await ctx.access.dropUser(existing.name);
  return statusResult(ctx.statement, `${existing.name} successfully dropped.`);
}

/** USE ROLE: the role must exist and be granted to the session's user (directly or by inheritance). */
export function checkUseRole(access: AccessControl, user: string | undefined, role: string): string {
  const found = access.role(role);
  if (!found) throw compilation('NOT_FOUND', `Role '${role}' does not exist or not authorized.`);
  if (!access.canUseRole(user ?? ADMIN_USER, found.name)) {
    throw compilation(
      'PERMISSION_DENIED',
      `Requested role '${found.name}' is not assigned to the executing user. Specify another role to activate.`,
    );
  }
  return found.name;
}

const granted = (
  access: AccessControl,
  pick: (g: { role: string; granteeKind: string; grantee: string }) => boolean,
  key: 'role' | 'grantee',
): string =>
  access
    .roleGrants()
    .filter(pick)
    .map((g) => g[key])
    .join(', ');

/**
 * SHOW ROLES and SHOW USERS as SQL listings (SHOW GRANTS is show-grants.ts); built-in roles and the
 * administrator date from `homeCreatedOn`.
 */
export function accessListings(access: AccessControl, homeCreatedOn: string): ObjectListing[] {
  return [
    {
      plural: ['ROLES'],
      singular: ['ROLE'],
      columns: ['name', 'owner', 'comment', 'created_on:TIMESTAMP_LTZ', 'granted_roles', 'granted_to_roles', 'assigned_to_users'],
      list: () =>
        access
          .roles()
          .map((r) => [
            r.name,
            r.owner,
            r.comment,
            r.createdOn ?? homeCreatedOn,
            granted(access, (g) => g.granteeKind === 'ROLE' && g.grantee.toUpperCase() === r.name.toUpperCase(), 'role'),
            granted(access, (g) => g.granteeKind === 'ROLE' && g.role.toUpperCase() === r.name.toUpperCase(), 'grantee'),
            granted(access, (g) => g.granteeKind === 'USER' && g.role.toUpperCase() === r.name.toUpperCase(), 'grantee'),
          ]),
      describe: (name) => {
        const r = access.role(name);
        return r
          ? [
              ['name', r.name],
              ['owner', r.owner],
              ['comment', r.comment],
              ['built_in', r.builtin],
            ]
          : null;
      },
    },
    {
      plural: ['USERS'],
      singular: ['USER'],
      columns: ['name', 'created_on:TIMESTAMP_LTZ', 'default_role', 'has_password:BOOLEAN', 'roles'],
      list: () =>
        access
          .users()
          .map((u) => [u.name, u.createdOn ?? homeCreatedOn, u.defaultRole, u.hasPassword, access.rolesOfUser(u.name).join(', ')]),
      describe: (name) => {
        // A bare name comes as written: unquoted identifiers are upper case.
        const u = access.user(name) ?? access.user(name.toUpperCase());
        return u
          ? [
              ['NAME', u.name],
              ['DEFAULT_ROLE', u.defaultRole],
              ['HAS_PASSWORD', u.hasPassword],
              ['DISABLED', u.disabled],
              ...access
                .userPublicKeys(u.name)
                .map((k, i): [string, unknown] => [`RSA_PUBLIC_KEY${i === 0 ? '' : '_2'}_FP`, k === null ? null : fingerprintOf(k)]),
              ['ROLES', access.rolesOfUser(u.name).join(', ')],
            ]
          : null;
      },
    },
  ];
}
