import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { RecpipeError } from '../core/errors.js';
import type { Warehouse } from '../warehouse/index.js';
import {
  AccessStore,
  type AccessRows,
  type GranteeKind,
  type ObjectKind,
  type PrivilegeRow,
  type RoleRow,
  type UserRow,
} from './access-store.js';
import { LoginLocks } from './login-locks.js';
import { ADMIN_USER, BUILTIN_FUNCTIONS, BUILTIN_FUNCTION_OWNER, BUILTIN_PARENTS, BUILTIN_ROLES, isBuiltinRole } from './roles.js';
import { canonicalType, parseSignatureText, signatureText, type FunctionSignature } from './signature.js';

export interface RoleInfo {
  readonly name: string;
  readonly owner: string;
  readonly comment: string | null;
  readonly createdOn: string | null;
  readonly builtin: boolean;
}

export interface UserInfo {
  readonly name: string;
  readonly hasPassword: boolean;
  readonly defaultRole: string | null;
  readonly createdOn: string | null;
  readonly disabled: boolean;
}

export interface SecurableObject {
  readonly kind: ObjectKind;
  /** As stored: FUNCTION `NAME(T1, T2)`, DATABASE `DB`, SCHEMA `DB.S`, TABLE `DB.S.T`. */
  readonly name: string;
}

const same = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase();
const up = (s: string): string => s.toUpperCase();

/**
 * Roles, users and privileges, Snowflake's way. A role has what was granted to it and to every role
 * it inherits (granted to it, transitively; ACCOUNTADMIN ⊃ SYSADMIN; every role ⊃ PUBLIC). Reads are
 * synchronous over an in-memory copy of the catalog tables, so SQL functions can check the caller's
 * usage inside DuckDB's callback; every write goes to the catalog first, then refreshes the copy.
 */
export class AccessControl {
  private rows: AccessRows = { roles: [], users: [], roleGrants: [], privileges: [] };

  private constructor(
    private readonly store: AccessStore,
    private readonly locks: LoginLocks,
  ) {}

  /** `schema` is the quoted system schema holding the tables, e.g. `"RECPIPE"."PUBLIC"`. */
  static async open(wh: Warehouse, schema: string): Promise<AccessControl> {
    const store = new AccessStore(wh, schema);
    await store.create();
    const access = new AccessControl(store, await LoginLocks.open(wh, schema));
    await access.refresh();
    return access;
  }

  /** Loads started so far; only the latest one's rows are kept. */
  private loads = 0;
  /** The latest load started: a superseded one waits for it. */
  private latest: Promise<void> = Promise.resolve();

  /**
   * Reloads the cached rows after a write. Writes come concurrently (a SQL function records an owner in
   * the background while a statement grants), so an earlier load can finish after a later one: its
   * older rows must not replace the newer ones, or a recorded owner or revoke silently disappears.
   * A superseded load returns only once the load that superseded it has landed (that one started
   * after this write committed, so it holds it): a writer always reads its own write.
   */
  private async refresh(): Promise<void> {
    const load = ++this.loads;
    const mine = this.store.load().then((rows) => {
      if (load === this.loads) this.rows = rows;
    });
    this.latest = mine;
    await mine;
    for (let awaited = mine; this.latest !== awaited; ) {
      awaited = this.latest;
      // Another writer's load failing is that writer's error; this write is committed either way.
      await awaited.catch(() => undefined);
    }
  }

  // ---- roles and users -------------------------------------------------------------------------

  roles(): RoleInfo[] {
    const builtin = BUILTIN_ROLES.map((name) => ({ name, owner: '', comment: builtinComment(name), createdOn: null, builtin: true }));
    return [...builtin, ...this.rows.roles.map((r: RoleRow) => ({ ...r, builtin: false }))];
  }

  /** A role by its exact name (unquoted names arrive upper-cased; a quoted "sysadmin" is another name, as in Snowflake). */
  role(name: string): RoleInfo | undefined {
    return this.roles().find((r) => r.name === name);
  }

  users(): UserInfo[] {
    const admin: UserInfo = { name: ADMIN_USER, hasPassword: false, defaultRole: 'SYSADMIN', createdOn: null, disabled: false };
    return [
      admin,
      ...this.rows.users.map((u: UserRow) => ({
        name: u.name,
        hasPassword: u.passwordHash !== null,
        defaultRole: u.defaultRole,
        createdOn: u.createdOn,
        disabled: u.disabled,
      })),
    ];
  }

  user(name: string): UserInfo | undefined {
    return this.users().find((u) => u.name === name);
  }

  /** Whether sessions may act as `user`: it exists and is not disabled (a session of a dropped or disabled user ends). */
  userActive(user: string): boolean {
    return this.users().find((u) => same(u.name, user))?.disabled === false;
  }

  readonly #userListeners = new Set<(user: string) => void>();

  /**
   * Hears of every change to a user that can end sessions (dropped, disabled, replaced, key pair set or
   * unset), once the catalog holds it, so the service ends what the user's old credentials opened.
   */
  onUserChange(listener: (user: string) => void): () => void {
    this.#userListeners.add(listener);
    return () => this.#userListeners.delete(listener);
  }

  #userChanged(user: string): void {
    for (const listener of this.#userListeners) listener(user);
  }

  /** The role and every role it inherits, upper-cased. */
  effectiveRoles(role: string): Set<string> {
    const seen = new Set<string>();
    const visit = (r: string): void => {
      if (seen.has(up(r))) return;
      seen.add(up(r));
      for (const parent of BUILTIN_PARENTS[up(r)] ?? []) visit(parent);
      for (const g of this.rows.roleGrants) if (g.granteeKind === 'ROLE' && same(g.grantee, r)) visit(g.role);
    };
    visit(role);
    seen.add('PUBLIC');
    return seen;
  }

  /** Roles granted to a user directly (the admin user has ACCOUNTADMIN; everyone has PUBLIC). */
  rolesOfUser(user: string): string[] {
    const granted = this.rows.roleGrants.filter((g) => g.granteeKind === 'USER' && same(g.grantee, user)).map((g) => g.role);
    return [...new Set([...(same(user, ADMIN_USER) ? ['ACCOUNTADMIN'] : []), ...granted, 'PUBLIC'])];
  }

  /**
   * USE ROLE r is allowed when r is granted to the user, directly or through a role the user has.
   * The built-in admin user (the local operator) may use every role.
   */
  canUseRole(user: string, role: string): boolean {
    if (same(user, ADMIN_USER)) return this.role(role) !== undefined;
    return this.rolesOfUser(user).some((r) => this.effectiveRoles(r).has(up(role)));
  }

  /** True when `role` is, or inherits, one of `holders`. */
  roleHasAny(role: string, holders: readonly string[]): boolean {
    const eff = this.effectiveRoles(role);
    return holders.some((h) => eff.has(up(h)));
  }

  async createRole(name: string, owner: string, comment: string | null, replace: boolean): Promise<void> {
    if (isBuiltinRole(name))
      throw new RecpipeError('PERMISSION_DENIED', `SQL compilation error: role ${up(name)} is a system role and cannot be replaced.`);
    await this.store.transaction(async (run, t) => {
      if (replace) await deleteRole(run, t, name);
      await run(`INSERT INTO ${t('ROLES')} VALUES (?, ?, ?, current_timestamp)`, [name, owner, comment]);
    });
    await this.refresh();
  }

  /** Drops a role; as in Snowflake, what it owned passes to the role that drops it. */
  async dropRole(name: string, droppedBy: string): Promise<void> {
    if (isBuiltinRole(name))
      throw new RecpipeError('PERMISSION_DENIED', `SQL compilation error: role ${up(name)} is a system role and cannot be dropped.`);
    await this.store.transaction(async (run, t) => {
      await run(`UPDATE ${t('GRANTS')} SET ROLE = ? WHERE PRIVILEGE = 'OWNERSHIP' AND upper(ROLE) = upper(?)`, [droppedBy, name]);
      await deleteRole(run, t, name);
    });
    await this.refresh();
  }

  async createUser(
    name: string,
    password: string | null,
    defaultRole: string | null,
    replace: boolean,
    keys: { 1?: string | null; 2?: string | null } = {},
  ): Promise<void> {
    if (same(name, ADMIN_USER))
      throw new RecpipeError(
        'PERMISSION_DENIED',
        `SQL compilation error: user ${ADMIN_USER} is recpipe's built-in administrator and cannot be replaced.`,
      );
    const hash = password === null ? null : await hashPassword(password);
    await this.store.transaction(async (run, t) => {
      if (replace) await deleteUser(run, t, name);
      await run(
        `INSERT INTO ${t('USERS')} (NAME, PASSWORD_HASH, DEFAULT_ROLE, CREATED_ON, RSA_PUBLIC_KEY, RSA_PUBLIC_KEY_2) VALUES (?, ?, ?, current_timestamp, ?, ?)`,
        [name, hash, defaultRole, keys[1] ?? null, keys[2] ?? null],
      );
    });
    if (replace) await this.locks.forget(name);
    await this.refresh();
    // A replaced user is another user: what the old one signed in to ends.
    if (replace) this.#userChanged(name);
  }

  /** Sets (a key) or unsets (null) a user's RSA public keys, slot 1 and 2, for key-pair (JWT) sign-in. */
  async setUserKeys(name: string, keys: { 1?: string | null; 2?: string | null }): Promise<void> {
    const sets = ([1, 2] as const).filter((slot) => keys[slot] !== undefined);
    if (sets.length === 0) return;
    const columns = sets.map((slot) => `${slot === 1 ? 'RSA_PUBLIC_KEY' : 'RSA_PUBLIC_KEY_2'} = ?`).join(', ');
    await this.store.transaction((run, t) =>
      run(`UPDATE ${t('USERS')} SET ${columns} WHERE upper(NAME) = upper(?)`, [...sets.map((slot) => keys[slot] ?? null), name]).then(
        () => undefined,
      ),
    );
    await this.refresh();
    this.#userChanged(name);
  }

  /** ALTER USER … SET DISABLED = TRUE|FALSE. */
  async setUserDisabled(name: string, disabled: boolean): Promise<void> {
    await this.store.transaction((run, t) =>
      run(`UPDATE ${t('USERS')} SET DISABLED = ? WHERE upper(NAME) = upper(?)`, [disabled, name]).then(() => undefined),
    );
    await this.refresh();
    this.#userChanged(name);
  }

  /** A user's RSA public keys (base64 DER) in slots 1 and 2, for verifying a key-pair sign-in. */
  userPublicKeys(user: string): readonly [string | null, string | null] {
    const row = this.rows.users.find((u) => same(u.name, user));
    return [row?.rsaPublicKey ?? null, row?.rsaPublicKey2 ?? null];
  }

  async dropUser(name: string): Promise<void> {
    if (same(name, ADMIN_USER))
      throw new RecpipeError(
        'PERMISSION_DENIED',
        `SQL compilation error: user ${ADMIN_USER} is recpipe's built-in administrator and cannot be dropped.`,
      );
    await this.store.transaction((run, t) => deleteUser(run, t, name));
    await this.locks.forget(name);
    await this.refresh();
    this.#userChanged(name);
  }

  /**
   * A sign-in with a password, Snowflake's way: 'ok', 'wrong' (unknown user, no password or a wrong
   * one) or 'locked' (5 wrong passwords in a row lock the user for 15 minutes, whatever is tried then).
   * The check is constant time, scrypt off the main thread. Every face that takes a password uses this.
   */
  async signIn(user: string, password: string, now = Date.now()): Promise<'ok' | 'wrong' | 'locked' | 'disabled'> {
    const row = this.rows.users.find((u) => same(u.name, user));
    if (!row) return 'wrong';
    if (this.locks.locked(row.name, now)) return 'locked';
    if (row.passwordHash && (await checkPassword(row.passwordHash, password))) {
      await this.locks.succeeded(row.name);
      // Only a right password learns that the user is disabled, as in Snowflake.
      return row.disabled ? 'disabled' : 'ok';
    }
    await this.locks.failed(row.name, now);
    return 'wrong';
  }

  /** ALTER USER … SET MINS_TO_UNLOCK = n (0 unlocks the user now). */
  async setMinsToUnlock(user: string, minutes: number, now = Date.now()): Promise<void> {
    await this.locks.unlockIn(user, minutes, now);
  }

  async grantRole(role: string, grantee: { kind: GranteeKind; name: string }, grantedBy: string): Promise<void> {
    if (grantee.kind === 'ROLE' && this.effectiveRoles(role).has(up(grantee.name))) {
      throw new RecpipeError(
        'INVALID_ARGUMENT',
        `SQL compilation error: Granting role ${up(role)} to role ${up(grantee.name)} would create a cycle: ${up(role)} already inherits ${up(grantee.name)}.`,
      );
    }
    await this.store.transaction((run, t) =>
      run(`INSERT INTO ${t('ROLE_GRANTS')} VALUES (?, ?, ?, ?, current_timestamp) ON CONFLICT DO NOTHING`, [
        role,
        grantee.kind,
        grantee.name,
        grantedBy,
      ]).then(() => undefined),
    );
    await this.refresh();
  }

  async revokeRole(role: string, grantee: { kind: GranteeKind; name: string }): Promise<void> {
    await this.store.transaction((run, t) =>
      run(`DELETE FROM ${t('ROLE_GRANTS')} WHERE upper(ROLE) = upper(?) AND GRANTEE_KIND = ? AND upper(GRANTEE) = upper(?)`, [
        role,
        grantee.kind,
        grantee.name,
      ]).then(() => undefined),
    );
    await this.refresh();
  }

  // ---- privileges ------------------------------------------------------------------------------

  async grant(privileges: readonly string[], object: SecurableObject, role: string, grantedBy: string): Promise<void> {
    await this.store.transaction(async (run, t) => {
      for (const p of privileges) {
        await run(`INSERT INTO ${t('GRANTS')} VALUES (?, ?, ?, ?, ?, current_timestamp) ON CONFLICT DO NOTHING`, [
          p,
          object.kind,
          object.name,
          role,
          grantedBy,
        ]);
      }
    });
    await this.refresh();
  }

  async revoke(privileges: readonly string[], object: SecurableObject, role: string): Promise<void> {
    await this.store.transaction(async (run, t) => {
      for (const p of privileges) {
        await run(
          `DELETE FROM ${t('GRANTS')} WHERE PRIVILEGE = ? AND OBJECT_KIND = ? AND upper(OBJECT_NAME) = upper(?) AND upper(ROLE) = upper(?)`,
          [p, object.kind, object.name, role],
        );
      }
    });
    await this.refresh();
  }

  /** Records that `role` owns an object it created (e.g. an external function), replacing any previous owner. */
  async recordOwnership(object: SecurableObject, role: string): Promise<void> {
    await this.store.transaction(async (run, t) => {
      await run(`DELETE FROM ${t('GRANTS')} WHERE PRIVILEGE = 'OWNERSHIP' AND OBJECT_KIND = ? AND upper(OBJECT_NAME) = upper(?)`, [
        object.kind,
        object.name,
      ]);
      await run(`INSERT INTO ${t('GRANTS')} VALUES ('OWNERSHIP', ?, ?, ?, ?, current_timestamp)`, [object.kind, object.name, role, role]);
    });
    await this.refresh();
  }

  /** A new table: `role` owns it and it receives its schema's future-table grants. */
  async tableCreated(table: SecurableObject, schema: string, role: string): Promise<void> {
    const future = this.rows.privileges.filter((g) => g.objectKind === 'FUTURE TABLES' && same(g.objectName, schema));
    await this.store.transaction(async (run, t) => {
      await run(`DELETE FROM ${t('GRANTS')} WHERE OBJECT_KIND = ? AND upper(OBJECT_NAME) = upper(?)`, [table.kind, table.name]);
      await run(`INSERT INTO ${t('GRANTS')} VALUES ('OWNERSHIP', ?, ?, ?, ?, current_timestamp)`, [table.kind, table.name, role, role]);
      for (const g of future)
        await run(`INSERT INTO ${t('GRANTS')} VALUES (?, ?, ?, ?, ?, current_timestamp) ON CONFLICT DO NOTHING`, [
          g.privilege,
          table.kind,
          table.name,
          g.role,
          g.grantedBy,
        ]);
    });
    await this.refresh();
  }

  /**
   * A dropped object takes its grants with it (a new object of the same name starts with none); a
   * dropped database or schema also takes those of everything in it (schemas, tables, views, stages,
   * sequences, streams, tasks, future grants), which DuckDB and the stores drop with it.
   */
  async objectDropped(object: SecurableObject): Promise<void> {
    const container = object.kind === 'DATABASE' || object.kind === 'SCHEMA';
    await this.store.transaction((run, t) =>
      run(
        `DELETE FROM ${t('GRANTS')} WHERE (OBJECT_KIND = ? AND upper(OBJECT_NAME) = upper(?))
           OR (? AND OBJECT_KIND IN ('SCHEMA', 'TABLE', 'STAGE', 'SEQUENCE', 'STREAM', 'TASK', 'FUTURE TABLES')
               AND starts_with(upper(OBJECT_NAME), upper(?) || '.'))`,
        [object.kind, object.name, container, object.name],
      ).then(() => undefined),
    );
    await this.refresh();
  }

  /** Privileges `role` holds on an object through grants to it or a role it inherits (OWNERSHIP included). */
  privilegesOn(role: string, object: SecurableObject): Set<string> {
    const eff = this.effectiveRoles(role);
    return new Set(
      this.rows.privileges
        .filter((g) => g.objectKind === object.kind && same(g.objectName, object.name) && eff.has(up(g.role)))
        .map((g) => g.privilege),
    );
  }

  /** The role recorded as owning an object, or null. */
  ownerOf(object: SecurableObject): string | null {
    return (
      this.rows.privileges.find((g) => g.privilege === 'OWNERSHIP' && g.objectKind === object.kind && same(g.objectName, object.name))
        ?.role ?? null
    );
  }

  /** Every privilege grant (OWNERSHIP included), oldest first. */
  grants(): readonly PrivilegeRow[] {
    return this.rows.privileges;
  }

  /** Role-to-role and role-to-user grants, oldest first. */
  roleGrants(): readonly AccessRows['roleGrants'][number][] {
    return this.rows.roleGrants;
  }

  /** Owner of a function: SYSADMIN for recpipe's built-ins, else the role that created it (null when unknown). */
  functionOwner(name: string, argTypes?: readonly string[] | number): string | null {
    if ((BUILTIN_FUNCTIONS as readonly string[]).includes(up(name))) return BUILTIN_FUNCTION_OWNER;
    const own = this.rows.privileges.find(
      (g) => g.privilege === 'OWNERSHIP' && g.objectKind === 'FUNCTION' && signatureMatches(g.objectName, name, argTypes),
    );
    return own?.role ?? null;
  }

  /**
   * Whether `role` may call a function: it (or a role it inherits) owns it or holds USAGE on it.
   * `argTypes`: the exact signature (Snowflake types), or only the number of arguments when the
   * caller cannot know their declared types (recpipe's built-ins take ANY), or omitted for any overload.
   */
  hasUsage(role: string, functionName: string, argTypes?: readonly string[] | number): boolean {
    const eff = this.effectiveRoles(role);
    const owner = this.functionOwner(functionName, argTypes);
    if (owner !== null && eff.has(up(owner))) return true;
    return this.rows.privileges.some(
      (g) =>
        g.objectKind === 'FUNCTION' &&
        ['USAGE', 'ALL', 'OWNERSHIP'].includes(g.privilege) &&
        eff.has(up(g.role)) &&
        signatureMatches(g.objectName, functionName, argTypes),
    );
  }

  /** Whether `role` holds `privilege` (or ALL/OWNERSHIP) on an object, given its owner when recpipe knows it elsewhere (databases). */
  hasPrivilege(role: string, privilege: string, object: SecurableObject, owner: string | null = null): boolean {
    const eff = this.effectiveRoles(role);
    if (owner !== null && eff.has(up(owner))) return true;
    return this.rows.privileges.some(
      (g) =>
        g.objectKind === object.kind &&
        same(g.objectName, object.name) &&
        eff.has(up(g.role)) &&
        [privilege, 'ALL', 'OWNERSHIP'].includes(g.privilege),
    );
  }
}

/** FUNCTION object name for a signature with canonical types. */
export function functionObject(sig: FunctionSignature): SecurableObject {
  return { kind: 'FUNCTION', name: signatureText({ name: up(sig.name), argTypes: sig.argTypes.map(canonicalType) }) };
}

function signatureMatches(stored: string, name: string, argTypes: readonly string[] | number | undefined): boolean {
  const sig = parseSignatureText(stored);
  if (!same(sig.name, name)) return false;
  if (argTypes === undefined) return true;
  if (typeof argTypes === 'number') return sig.argTypes.length === argTypes;
  return sig.argTypes.length === argTypes.length && argTypes.every((t, i) => canonicalType(t) === sig.argTypes[i]);
}

type Run = (sql: string, params?: readonly (string | null)[]) => Promise<unknown>;

async function deleteRole(run: Run, t: (n: string) => string, name: string): Promise<void> {
  await run(`DELETE FROM ${t('ROLES')} WHERE upper(NAME) = upper(?)`, [name]);
  await run(`DELETE FROM ${t('ROLE_GRANTS')} WHERE upper(ROLE) = upper(?) OR (GRANTEE_KIND = 'ROLE' AND upper(GRANTEE) = upper(?))`, [
    name,
    name,
  ]);
  await run(`DELETE FROM ${t('GRANTS')} WHERE upper(ROLE) = upper(?)`, [name]);
}

async function deleteUser(run: Run, t: (n: string) => string, name: string): Promise<void> {
  await run(`DELETE FROM ${t('USERS')} WHERE upper(NAME) = upper(?)`, [name]);
  await run(`DELETE FROM ${t('ROLE_GRANTS')} WHERE GRANTEE_KIND = 'USER' AND upper(GRANTEE) = upper(?)`, [name]);
}

function builtinComment(role: string): string {
  const comments: Record<string, string> = {
    ACCOUNTADMIN: 'Account administrator can manage all aspects of the account.',
    SECURITYADMIN: 'Security administrator can manage security aspects of the account.',
    USERADMIN: 'User administrator can create and manage users and roles',
    SYSADMIN: 'System administrator can create and manage databases and warehouses.',
    PUBLIC: 'Public role is automatically available to every user in the account.',
  };
  return comments[role];
}

/** scrypt (RFC 7914), off the main thread (~50 ms of CPU each): the thread that hashes also serves. */
function derive(password: string, salt: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, length, (e, key) => (e ? reject(e) : resolve(key))));
}

/** scrypt with a random 16-byte salt; only the hash is stored. */
async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('hex')}$${(await derive(password, salt, 32)).toString('hex')}`;
}

async function checkPassword(stored: string, password: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'hex');
  return timingSafeEqual(expected, await derive(password, Buffer.from(salt, 'hex'), expected.length));
}
