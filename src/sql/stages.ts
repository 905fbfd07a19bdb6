import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rowRecords, type Warehouse } from '../warehouse/index.js';
import { SYSTEM_DATABASE } from './identifiers.js';

/** A named stage: where COPY INTO may read files, and who owns it. */
export interface StageRecord {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  /** `file:///dir/` for an external stage; null for an internal one (a directory of the home). */
  readonly url: string | null;
  /** The directory the stage reads: the URL's path, or the internal stage's directory. */
  readonly dir: string;
  /** File format options given at CREATE STAGE (JSON of Snowflake's option names), or null. */
  readonly fileFormat: Record<string, unknown> | null;
  readonly owner: string;
  readonly comment: string | null;
  readonly createdOn: string;
}

const T = `"${SYSTEM_DATABASE}"."PUBLIC"."STAGES"`;

const keyOf = (database: string, schema: string, name: string): string => `${database.toUpperCase()}.${schema.toUpperCase()}.${name}`;

/**
 * Stages live in the system catalog beside databases and file formats; internal stages' files under
 * `<home>/stages/`. An in-memory copy answers synchronous lookups (SQL functions resolving `@stage/path`).
 */
export class StageStore {
  private cache = new Map<string, StageRecord>();

  private constructor(
    private readonly wh: Warehouse,
    readonly root: string,
  ) {}

  static async open(wh: Warehouse, root: string): Promise<StageStore> {
    await wh.run(`CREATE TABLE IF NOT EXISTS ${T} (DATABASE_NAME VARCHAR NOT NULL, SCHEMA_NAME VARCHAR NOT NULL, NAME VARCHAR NOT NULL, URL VARCHAR, DIR VARCHAR NOT NULL,
      FILE_FORMAT VARCHAR, OWNER VARCHAR NOT NULL, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL, PRIMARY KEY (DATABASE_NAME, SCHEMA_NAME, NAME))`);
    const store = new StageStore(wh, root);
    await store.refresh();
    return store;
  }

  private async refresh(): Promise<void> {
    const r = await this.wh.run(`SELECT DATABASE_NAME, SCHEMA_NAME, NAME, URL, DIR, FILE_FORMAT, OWNER, COMMENT, CREATED_ON FROM ${T}`);
    this.cache = new Map(
      rowRecords(r).map((row) => {
        const rec = recordOf(row);
        return [keyOf(rec.database, rec.schema, rec.name), rec];
      }),
    );
  }

  /** The stage from the in-memory copy (null when there is none). */
  find(database: string, schema: string, name: string): StageRecord | null {
    return this.cache.get(keyOf(database, schema, name)) ?? null;
  }

  /** The directory of an internal named stage (created on demand, owner-only). */
  internalDir(database: string, schema: string, name: string): string {
    return join(this.root, 'named', `${database}.${schema}.${name}`);
  }

  /** The user stage `@~` of a user (the home's owner is ADMIN). */
  userDir(user: string): string {
    const dir = join(this.root, 'users', user);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Every stage, or those of one database (and schema), by name. */
  list(scope: { readonly database?: string; readonly schema?: string } = {}): StageRecord[] {
    return [...this.cache.values()]
      .filter((r) => (!scope.database || r.database === scope.database) && (!scope.schema || r.schema === scope.schema))
      .sort((a, b) => `${a.database}.${a.schema}.${a.name}`.localeCompare(`${b.database}.${b.schema}.${b.name}`));
  }

  async get(database: string, schema: string, name: string): Promise<StageRecord | null> {
    return this.find(database, schema, name);
  }

  async put(rec: Omit<StageRecord, 'createdOn'>, replace: boolean): Promise<void> {
    if (replace) await this.drop(rec.database, rec.schema, rec.name);
    if (rec.url === null) mkdirSync(rec.dir, { recursive: true, mode: 0o700 });
    await this.wh.run(`INSERT INTO ${T} VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)`, [
      rec.database,
      rec.schema,
      rec.name,
      rec.url,
      rec.dir,
      rec.fileFormat === null ? null : JSON.stringify(rec.fileFormat),
      rec.owner,
      rec.comment,
    ]);
    await this.refresh();
  }

  async drop(database: string, schema: string, name: string): Promise<void> {
    await this.wh.run(`DELETE FROM ${T} WHERE upper(DATABASE_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?) AND NAME = ?`, [
      database,
      schema,
      name,
    ]);
    await this.refresh();
  }
}

function recordOf(row: Record<string, unknown>): StageRecord {
  const s = (v: unknown): string | null => (v === null ? null : String(v));
  return {
    database: String(row.DATABASE_NAME),
    schema: String(row.SCHEMA_NAME),
    name: String(row.NAME),
    url: s(row.URL),
    dir: String(row.DIR),
    fileFormat: row.FILE_FORMAT === null ? null : (JSON.parse(String(row.FILE_FORMAT)) as Record<string, unknown>),
    owner: String(row.OWNER),
    comment: s(row.COMMENT),
    createdOn: String(row.CREATED_ON),
  };
}
