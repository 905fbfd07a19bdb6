import { rowRecords, type Warehouse } from '../warehouse/index.js';
import type { ApiIntegration, Compression, ExternalFunction } from './records.js';

/**
 * API integrations and external functions live in two tables of recpipe's system database, next
 * to the SQL layer's catalog, so they survive restarts and are queryable:
 * `select * from recpipe.api_integrations` (which names the API key's secret, never the key).
 */
const T = (name: string): string => `"RECPIPE"."PUBLIC"."${name}"`;

const DDL = [
  `CREATE TABLE IF NOT EXISTS ${T('API_INTEGRATIONS')} (NAME VARCHAR PRIMARY KEY, PROVIDER VARCHAR NOT NULL, ROLE_ARN VARCHAR, API_KEY_SECRET VARCHAR,
     ENABLED BOOLEAN NOT NULL, ALLOWED_PREFIXES JSON NOT NULL, BLOCKED_PREFIXES JSON NOT NULL, IAM_USER_ARN VARCHAR NOT NULL,
     EXTERNAL_ID VARCHAR NOT NULL, OWNER VARCHAR, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${T('EXTERNAL_FUNCTIONS')} (DATABASE_NAME VARCHAR NOT NULL, SCHEMA_NAME VARCHAR NOT NULL, NAME VARCHAR NOT NULL,
     ARG_NAMES JSON NOT NULL, ARG_TYPES JSON NOT NULL, ARITY INTEGER NOT NULL, RETURNS_NOT_NULL BOOLEAN NOT NULL, NULL_ON_NULL_INPUT BOOLEAN NOT NULL,
     INTEGRATION VARCHAR NOT NULL, URL VARCHAR NOT NULL, HEADERS JSON NOT NULL, MAX_BATCH_ROWS INTEGER, COMPRESSION VARCHAR NOT NULL,
     OWNER VARCHAR, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL, PRIMARY KEY (DATABASE_NAME, SCHEMA_NAME, NAME, ARITY))`,
];

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export class ExternalStore {
  private constructor(private readonly wh: Warehouse) {}

  static async open(wh: Warehouse): Promise<ExternalStore> {
    await wh.runScript(DDL);
    return new ExternalStore(wh);
  }

  async integrations(): Promise<ApiIntegration[]> {
    const r = await this.wh.run(
      `SELECT NAME, PROVIDER, ROLE_ARN, API_KEY_SECRET, ENABLED, ALLOWED_PREFIXES, BLOCKED_PREFIXES, IAM_USER_ARN, EXTERNAL_ID, OWNER, COMMENT, CREATED_ON
         FROM ${T('API_INTEGRATIONS')} ORDER BY NAME`,
    );
    return rowRecords(r).map((row) => ({
      name: String(row.NAME),
      provider: String(row.PROVIDER),
      roleArn: str(row.ROLE_ARN),
      apiKeySecret: str(row.API_KEY_SECRET),
      enabled: row.ENABLED === true,
      allowedPrefixes: row.ALLOWED_PREFIXES as string[],
      blockedPrefixes: row.BLOCKED_PREFIXES as string[],
      iamUserArn: String(row.IAM_USER_ARN),
      externalId: String(row.EXTERNAL_ID),
      owner: String(row.OWNER),
      comment: str(row.COMMENT),
      createdOn: String(row.CREATED_ON),
    }));
  }

  /** Inserts, or replaces in one transaction when `replace`. */
  async putIntegration(i: ApiIntegration, replace: boolean): Promise<void> {
    await this.wh.withConnection(async (conn) => {
      await conn.run('BEGIN');
      if (replace) await conn.run(`DELETE FROM ${T('API_INTEGRATIONS')} WHERE upper(NAME) = upper(?)`, [i.name]);
      await conn.run(`INSERT INTO ${T('API_INTEGRATIONS')} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)`, [
        i.name,
        i.provider,
        i.roleArn,
        i.apiKeySecret,
        i.enabled,
        JSON.stringify(i.allowedPrefixes),
        JSON.stringify(i.blockedPrefixes),
        i.iamUserArn,
        i.externalId,
        i.owner,
        i.comment,
      ]);
      await conn.run('COMMIT');
    });
  }

  async removeIntegration(name: string): Promise<void> {
    await this.wh.run(`DELETE FROM ${T('API_INTEGRATIONS')} WHERE upper(NAME) = upper(?)`, [name]);
  }

  async functions(): Promise<ExternalFunction[]> {
    const r = await this.wh.run(
      `SELECT DATABASE_NAME, SCHEMA_NAME, NAME, ARG_NAMES, ARG_TYPES, RETURNS_NOT_NULL, NULL_ON_NULL_INPUT, INTEGRATION, URL, HEADERS,
              MAX_BATCH_ROWS, COMPRESSION, OWNER, COMMENT, CREATED_ON FROM ${T('EXTERNAL_FUNCTIONS')} ORDER BY DATABASE_NAME, SCHEMA_NAME, NAME, ARITY`,
    );
    return rowRecords(r).map((row) => ({
      database: String(row.DATABASE_NAME),
      schema: String(row.SCHEMA_NAME),
      name: String(row.NAME),
      argNames: row.ARG_NAMES as string[],
      argTypes: row.ARG_TYPES as string[],
      returnsNotNull: row.RETURNS_NOT_NULL === true,
      nullOnNullInput: row.NULL_ON_NULL_INPUT === true,
      integration: String(row.INTEGRATION),
      url: String(row.URL),
      headers: row.HEADERS as Record<string, string>,
      maxBatchRows: row.MAX_BATCH_ROWS === null ? null : Number(row.MAX_BATCH_ROWS),
      compression: String(row.COMPRESSION) as Compression,
      owner: String(row.OWNER),
      comment: str(row.COMMENT),
      createdOn: String(row.CREATED_ON),
    }));
  }

  async putFunction(f: ExternalFunction, replace: boolean): Promise<void> {
    await this.wh.withConnection(async (conn) => {
      await conn.run('BEGIN');
      if (replace)
        await conn.run(`DELETE FROM ${T('EXTERNAL_FUNCTIONS')} WHERE ${FUNCTION_KEY}`, [f.database, f.schema, f.name, f.argTypes.length]);
      await conn.run(`INSERT INTO ${T('EXTERNAL_FUNCTIONS')} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)`, [
        f.database,
        f.schema,
        f.name,
        JSON.stringify(f.argNames),
        JSON.stringify(f.argTypes),
        f.argTypes.length,
        f.returnsNotNull,
        f.nullOnNullInput,
        f.integration,
        f.url,
        JSON.stringify(f.headers),
        f.maxBatchRows,
        f.compression,
        f.owner,
        f.comment,
      ]);
      await conn.run('COMMIT');
    });
  }

  async removeFunction(f: Pick<ExternalFunction, 'database' | 'schema' | 'name' | 'argTypes'>): Promise<void> {
    await this.wh.run(`DELETE FROM ${T('EXTERNAL_FUNCTIONS')} WHERE ${FUNCTION_KEY}`, [f.database, f.schema, f.name, f.argTypes.length]);
  }
}

const FUNCTION_KEY = 'upper(DATABASE_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?) AND upper(NAME) = upper(?) AND ARITY = ?';
