import { randomUUID } from 'node:crypto';
import { RecpipeError } from '../core/errors.js';
import {
  STREAM_OFFSETS_SCHEMA,
  displayName,
  quoteIdent,
  quoteTableName,
  stringLiteral,
  type TableName,
  type Warehouse,
  type WarehouseConnection,
} from '../warehouse/index.js';
import { SYSTEM_DATABASE } from './identifiers.js';

const STREAMS_TABLE = `"${SYSTEM_DATABASE}"."PUBLIC"."STREAMS"`;

export interface StreamDefinition extends TableName {
  readonly id: string;
  readonly owner: string;
  /** The table whose changes the stream records. */
  readonly table: TableName;
  readonly appendOnly: boolean;
  readonly showInitialRows: boolean;
  readonly comment: string | null;
  readonly createdOn: string;
}

export type StreamSpec = Omit<StreamDefinition, 'id' | 'createdOn'>;

const key = (t: TableName): string => displayName([t.database, t.schema, t.name]).toUpperCase();

/**
 * Streams, Snowflake's change-tracking objects, on DuckDB. A stream's offset is a copy of its base
 * table as of the last consuming transaction (each row with the rowid it had then), kept in the
 * hidden schema RECPIPE$STREAMS of the base table's database, so that moving the offset commits in
 * the same DuckDB transaction as the DML that consumed it (DuckDB writes one database file per
 * transaction). The change set is the multiset difference between the table now and that copy —
 * net changes, as Snowflake reports them — so writing to a tracked table costs nothing more than
 * writing to any table; reading the stream and advancing it costs a scan and a copy of the table.
 */
export class StreamStore {
  private readonly streams = new Map<string, StreamDefinition>();
  /** Streams consumed inside a session's open transaction, by session id: their offsets move at its COMMIT. */
  private readonly pending = new Map<string, Map<string, StreamDefinition>>();

  private constructor(private readonly wh: Warehouse) {}

  static async open(wh: Warehouse): Promise<StreamStore> {
    await wh.run(
      `CREATE TABLE IF NOT EXISTS ${STREAMS_TABLE} (ID VARCHAR PRIMARY KEY, DATABASE_NAME VARCHAR NOT NULL, SCHEMA_NAME VARCHAR NOT NULL,
         NAME VARCHAR NOT NULL, OWNER VARCHAR NOT NULL, TABLE_DATABASE VARCHAR NOT NULL, TABLE_SCHEMA VARCHAR NOT NULL, TABLE_NAME VARCHAR NOT NULL,
         APPEND_ONLY BOOLEAN NOT NULL, SHOW_INITIAL_ROWS BOOLEAN NOT NULL, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL)`,
    );
    const s = new StreamStore(wh);
    const r = await wh.run(
      `SELECT ID, DATABASE_NAME, SCHEMA_NAME, NAME, OWNER, TABLE_DATABASE, TABLE_SCHEMA, TABLE_NAME, APPEND_ONLY, SHOW_INITIAL_ROWS, COMMENT, CREATED_ON::VARCHAR FROM ${STREAMS_TABLE}`,
    );
    for (const row of r.rows) {
      const [id, database, schema, name, owner, tdb, tschema, tname, appendOnly, showInitialRows, comment, createdOn] = row;
      const def: StreamDefinition = {
        id: String(id),
        database: String(database),
        schema: String(schema),
        name: String(name),
        owner: String(owner),
        table: { database: String(tdb), schema: String(tschema), name: String(tname) },
        appendOnly: appendOnly === true,
        showInitialRows: showInitialRows === true,
        comment: comment === null ? null : String(comment),
        createdOn: String(createdOn),
      };
      s.streams.set(key(def), def);
    }
    return s;
  }

  list(): StreamDefinition[] {
    return [...this.streams.values()].sort((a, b) => key(a).localeCompare(key(b)));
  }

  get(name: TableName): StreamDefinition | undefined {
    return this.streams.get(key(name));
  }

  /** Creates the stream's offset (the table as it is now, or empty with SHOW_INITIAL_ROWS) and its change view. */
  async create(spec: StreamSpec, replace: boolean): Promise<StreamDefinition> {
    const existing = this.get(spec);
    if (existing && !replace) throw new RecpipeError('CONFLICT', `SQL compilation error: Object '${key(spec)}' already exists.`);
    if (!(await this.baseExists(spec.table)))
      throw new RecpipeError(
        'NOT_FOUND',
        `SQL compilation error: Table '${displayName(tableParts(spec.table))}' does not exist or not authorized.`,
      );
    const def: StreamDefinition = { ...spec, id: randomUUID().replaceAll('-', '').toUpperCase(), createdOn: new Date().toISOString() };
    const db = quoteIdent(def.table.database);
    await this.wh.run(`CREATE SCHEMA IF NOT EXISTS ${db}.${quoteIdent(STREAM_OFFSETS_SCHEMA)}`);
    await this.wh.run(
      `CREATE TABLE ${offsetTable(def)} AS SELECT rowid AS rid, t AS r FROM ${quoteTableName(def.table)} AS t${def.showInitialRows ? ' LIMIT 0' : ''}`,
    );
    await this.wh.run(`CREATE VIEW ${changesView(def)} AS ${changeSet(def)}`);
    if (existing) await this.drop(existing);
    await this.wh.run(`INSERT INTO ${STREAMS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ)`, [
      def.id,
      def.database,
      def.schema,
      def.name,
      def.owner,
      def.table.database,
      def.table.schema,
      def.table.name,
      def.appendOnly,
      def.showInitialRows,
      def.comment,
      def.createdOn,
    ]);
    this.streams.set(key(def), def);
    return def;
  }

  /** Forgets the stream first, then its offset objects (a crash between leaves only unreachable objects). */
  async drop(def: StreamDefinition): Promise<void> {
    await this.wh.run(`DELETE FROM ${STREAMS_TABLE} WHERE ID = ?`, [def.id]);
    this.streams.delete(key(def));
    await this.wh.run(`DROP VIEW IF EXISTS ${changesView(def)}`).catch(() => undefined);
    await this.wh.run(`DROP TABLE IF EXISTS ${offsetTable(def)}`).catch(() => undefined);
  }

  /** DROP DATABASE / DROP SCHEMA: the streams that lived there go with it (their offsets, kept beside the base table, too). */
  async dropContained(database: string, schema?: string): Promise<void> {
    const inside = (d: StreamDefinition): boolean =>
      d.database.toUpperCase() === database.toUpperCase() && (schema === undefined || d.schema.toUpperCase() === schema.toUpperCase());
    for (const def of this.list().filter(inside)) await this.drop(def);
  }

  /** Stale when its base table (or the base's database) is gone: the offset cannot be read any more. */
  async stale(def: StreamDefinition): Promise<boolean> {
    return !(await this.baseExists(def.table));
  }

  /** Throws Snowflake's stale-stream error when the stream can no longer be read. */
  async checkReadable(def: StreamDefinition): Promise<void> {
    if (await this.stale(def)) {
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `Base table '${displayName(tableParts(def.table))}' dropped, cannot read from stream '${def.name}'; the stream is stale: recreate it (CREATE OR REPLACE STREAM)`,
      );
    }
  }

  /**
   * Runs a DML statement that reads `consumed` and moves their offsets to the table as this
   * transaction sees it, committing both together. Inside a session's open transaction the offsets
   * move at its COMMIT (`committing`), so the transaction keeps reading the same changes (Snowflake's
   * repeatable read); ROLLBACK forgets them (`rolledBack`). A failure rolls back both.
   */
  async consume<T>(
    conn: WarehouseConnection,
    session: string,
    inTransaction: boolean,
    consumed: readonly StreamDefinition[],
    run: () => Promise<T>,
  ): Promise<T> {
    if (inTransaction) {
      const result = await run();
      const pending = this.pending.get(session) ?? new Map<string, StreamDefinition>();
      for (const def of consumed) pending.set(def.id, def);
      this.pending.set(session, pending);
      return result;
    }
    await conn.run('BEGIN TRANSACTION');
    try {
      const result = await run();
      await this.advance(conn, consumed);
      await conn.run('COMMIT');
      return result;
    } catch (e) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** Before a session's COMMIT: the offsets its transaction consumed move in that transaction. */
  async committing(conn: WarehouseConnection, session: string): Promise<void> {
    const pending = this.pending.get(session);
    this.pending.delete(session);
    if (pending) await this.advance(conn, [...pending.values()]);
  }

  rolledBack(session: string): void {
    this.pending.delete(session);
  }

  private async advance(conn: WarehouseConnection, consumed: readonly StreamDefinition[]): Promise<void> {
    try {
      for (const def of consumed) {
        await conn.run(`DELETE FROM ${offsetTable(def)}`);
        await conn.run(`INSERT INTO ${offsetTable(def)} SELECT rowid, t FROM ${quoteTableName(def.table)} AS t`);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!/single attached database|more than one attached database|write to database/i.test(message)) throw e;
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `a statement that consumes stream(s) ${consumed.map((d) => d.name).join(', ')} must write to the database of their base table (${consumed[0].table.database}): ` +
          'the offset moves in the same transaction, and a recpipe transaction writes one database',
      );
    }
  }

  private async baseExists(t: TableName): Promise<boolean> {
    const tables = await this.wh.listTables({ database: t.database, schema: t.schema }).catch(() => []);
    return tables.some((x) => x.kind === 'TABLE' && x.name.toUpperCase() === t.name.toUpperCase());
  }
}

const tableParts = (t: TableName): string[] => [t.database, t.schema, t.name];

const hidden = (def: StreamDefinition, what: string): string =>
  `${quoteIdent(def.table.database)}.${quoteIdent(STREAM_OFFSETS_SCHEMA)}.${quoteIdent(`${what}_${def.id}`)}`;

export const offsetTable = (def: StreamDefinition): string => hidden(def, 'OFFSET');

/** The view reading a stream's change set (what a stream reference is rewritten to). */
export const changesView = (def: StreamDefinition): string => hidden(def, 'CHANGES');

/**
 * The change set as DuckDB SQL: rows of the table now that the offset copy lacks are INSERTs, rows
 * of the copy the table lacks are DELETEs, matched as multisets (the k-th copy of a row pairs with
 * the k-th), so identical rows that merely moved (a checkpoint compacts rowids) never show. An
 * INSERT and a DELETE with the same rowid are an UPDATE (METADATA$ISUPDATE). Append-only streams
 * report inserts only.
 */
function changeSet(def: StreamDefinition): string {
  const rowId = (rid: string) => `md5(${stringLiteral(def.id)} || ':' || ${rid})`;
  const base = quoteTableName(def.table);
  const cte = `WITH c AS (SELECT rowid AS rid, t AS r, row_number() OVER (PARTITION BY t ORDER BY rowid) AS k FROM ${base} AS t),
    o AS (SELECT rid, r, row_number() OVER (PARTITION BY r ORDER BY rid) AS k FROM ${offsetTable(def)}),
    ins AS (SELECT c.rid, c.r FROM c ANTI JOIN o ON c.r IS NOT DISTINCT FROM o.r AND c.k = o.k)`;
  if (def.appendOnly)
    return `${cte} SELECT unnest(r), 'INSERT' AS "METADATA$ACTION", false AS "METADATA$ISUPDATE", ${rowId('rid')} AS "METADATA$ROW_ID" FROM ins`;
  return `${cte},
    del AS (SELECT o.rid, o.r FROM o ANTI JOIN c ON o.r IS NOT DISTINCT FROM c.r AND o.k = c.k)
    SELECT unnest(r), 'INSERT' AS "METADATA$ACTION", rid IN (SELECT rid FROM del) AS "METADATA$ISUPDATE", ${rowId('rid')} AS "METADATA$ROW_ID" FROM ins
    UNION ALL
    SELECT unnest(r), 'DELETE', rid IN (SELECT rid FROM ins), ${rowId('rid')} FROM del`;
}
