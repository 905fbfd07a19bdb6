import type { SqlParam, Warehouse } from '../warehouse/index.js';

/**
 * Roles, users and grants live in system tables of recpipe's catalog database (beside DATABASES
 * and LOAD_HISTORY), so they are transactional and survive restarts. Only recpipe writes them;
 * reads go through AccessControl's in-memory copy, because privilege checks run inside DuckDB's
 * synchronous function callbacks.
 */
export interface RoleRow {
  readonly name: string;
  readonly owner: string;
  readonly comment: string | null;
  readonly createdOn: string;
}

export interface UserRow {
  readonly name: string;
  /** `scrypt$<salt hex>$<hash hex>`, or null for a user without a password. */
  readonly passwordHash: string | null;
  readonly defaultRole: string | null;
  readonly createdOn: string;
  /** Key-pair authentication: the user's RSA public keys (base64 DER SubjectPublicKeyInfo, as Snowflake stores them). */
  readonly rsaPublicKey: string | null;
  readonly rsaPublicKey2: string | null;
  /** ALTER USER … SET DISABLED = TRUE: the user cannot sign in, and every session it holds ends. */
  readonly disabled: boolean;
}

export type GranteeKind = 'USER' | 'ROLE';

export interface RoleGrantRow {
  readonly role: string;
  readonly granteeKind: GranteeKind;
  readonly grantee: string;
  readonly grantedBy: string;
  readonly createdOn: string;
}

/**
 * FUTURE TABLES: grants a schema's tables receive when created (name `DB.S`). INTEGRATION, ENDPOINT
 * and TRAINING JOB are account-wide objects named by their name alone.
 */
export type ObjectKind =
  | 'FUNCTION'
  | 'DATABASE'
  | 'SCHEMA'
  | 'TABLE'
  | 'STAGE'
  | 'FUTURE TABLES'
  | 'INTEGRATION'
  | 'ENDPOINT'
  | 'TRAINING JOB'
  | 'TASK'
  | 'SEQUENCE'
  | 'STREAM';

export interface PrivilegeRow {
  /** USAGE, SELECT, INSERT, … or OWNERSHIP (the role that created the object). */
  readonly privilege: string;
  readonly objectKind: ObjectKind;
  /** FUNCTION: `NAME(T1, T2)`; DATABASE: `DB`; SCHEMA: `DB.S`; TABLE: `DB.S.T` (parts as stored). */
  readonly objectName: string;
  readonly role: string;
  readonly grantedBy: string;
  readonly createdOn: string;
}

export interface AccessRows {
  readonly roles: RoleRow[];
  readonly users: UserRow[];
  readonly roleGrants: RoleGrantRow[];
  readonly privileges: PrivilegeRow[];
}

type Run = (sql: string, params?: readonly SqlParam[]) => Promise<unknown>;

export class AccessStore {
  constructor(
    private readonly wh: Warehouse,
    private readonly schema: string,
  ) {}

  private t(name: string): string {
    return `${this.schema}."${name}"`;
  }

  async create(): Promise<void> {
    await this.wh.runScript([
      `CREATE TABLE IF NOT EXISTS ${this.t('ROLES')} (NAME VARCHAR PRIMARY KEY, OWNER VARCHAR NOT NULL, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${this.t('USERS')} (NAME VARCHAR PRIMARY KEY, PASSWORD_HASH VARCHAR, DEFAULT_ROLE VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL)`,
      // Homes made before key-pair authentication gain its columns.
      `ALTER TABLE ${this.t('USERS')} ADD COLUMN IF NOT EXISTS RSA_PUBLIC_KEY VARCHAR`,
      `ALTER TABLE ${this.t('USERS')} ADD COLUMN IF NOT EXISTS RSA_PUBLIC_KEY_2 VARCHAR`,
      `ALTER TABLE ${this.t('USERS')} ADD COLUMN IF NOT EXISTS DISABLED BOOLEAN DEFAULT FALSE`,
      `CREATE TABLE IF NOT EXISTS ${this.t('ROLE_GRANTS')} (ROLE VARCHAR NOT NULL, GRANTEE_KIND VARCHAR NOT NULL, GRANTEE VARCHAR NOT NULL,
         GRANTED_BY VARCHAR NOT NULL, CREATED_ON TIMESTAMPTZ NOT NULL, PRIMARY KEY (ROLE, GRANTEE_KIND, GRANTEE))`,
      `CREATE TABLE IF NOT EXISTS ${this.t('GRANTS')} (PRIVILEGE VARCHAR NOT NULL, OBJECT_KIND VARCHAR NOT NULL, OBJECT_NAME VARCHAR NOT NULL, ROLE VARCHAR NOT NULL,
         GRANTED_BY VARCHAR NOT NULL, CREATED_ON TIMESTAMPTZ NOT NULL, PRIMARY KEY (PRIVILEGE, OBJECT_KIND, OBJECT_NAME, ROLE))`,
    ]);
  }

  async load(): Promise<AccessRows> {
    // One use of one connection for the four reads: every write reloads them, and each use of a pooled
    // connection ends with a ROLLBACK, so four uses made a fifth of a CREATE TABLE's DuckDB calls.
    const [roles, users, roleGrants, privileges] = await this.wh.withConnection(async (conn) => {
      const rows = async (sql: string) => (await conn.run(sql)).rows.map((r) => r.map((v) => (v === null ? null : String(v))));
      return [
        await rows(`SELECT NAME, OWNER, COMMENT, CREATED_ON FROM ${this.t('ROLES')} ORDER BY NAME`),
        await rows(
          `SELECT NAME, PASSWORD_HASH, DEFAULT_ROLE, CREATED_ON, RSA_PUBLIC_KEY, RSA_PUBLIC_KEY_2, DISABLED FROM ${this.t('USERS')} ORDER BY NAME`,
        ),
        await rows(`SELECT ROLE, GRANTEE_KIND, GRANTEE, GRANTED_BY, CREATED_ON FROM ${this.t('ROLE_GRANTS')} ORDER BY CREATED_ON, ROLE`),
        await rows(
          `SELECT PRIVILEGE, OBJECT_KIND, OBJECT_NAME, ROLE, GRANTED_BY, CREATED_ON FROM ${this.t('GRANTS')} ORDER BY CREATED_ON, OBJECT_NAME`,
        ),
      ];
    });
    return {
      roles: roles.map(([name, owner, comment, createdOn]) => ({ name: name!, owner: owner!, comment, createdOn: createdOn! })),
      users: users.map(([name, passwordHash, defaultRole, createdOn, rsaPublicKey, rsaPublicKey2, disabled]) => ({
        name: name!,
        passwordHash,
        defaultRole,
        createdOn: createdOn!,
        rsaPublicKey,
        rsaPublicKey2,
        disabled: disabled === 'true',
      })),
      roleGrants: roleGrants.map(([role, kind, grantee, grantedBy, createdOn]) => ({
        role: role!,
        granteeKind: kind as GranteeKind,
        grantee: grantee!,
        grantedBy: grantedBy!,
        createdOn: createdOn!,
      })),
      privileges: privileges.map(([privilege, kind, objectName, role, grantedBy, createdOn]) => ({
        privilege: privilege!,
        objectKind: kind as ObjectKind,
        objectName: objectName!,
        role: role!,
        grantedBy: grantedBy!,
        createdOn: createdOn!,
      })),
    };
  }

  /** Runs several writes as one transaction on one connection. */
  async transaction(work: (run: Run, t: (name: string) => string) => Promise<void>): Promise<void> {
    await this.wh.withConnection(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        await work(
          (sql, params) => conn.run(sql, params),
          (name) => this.t(name),
        );
        await conn.run('COMMIT');
      } catch (e) {
        await conn.run('ROLLBACK');
        throw e;
      }
    });
  }
}
