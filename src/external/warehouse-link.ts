import { HttpSqlClient } from '../client/http-sql-client.js';
import type { SessionInit, StatementResult } from '../client/sql-client.js';
import { RecpipeError, type RatingsBuilder } from '../core/index.js';
import type { JobSource, JobTables } from '../jobs/index.js';
import {
  columnRows,
  columnValue,
  quoteIdent,
  quoteTableName,
  type ColumnInfo,
  type RatingColumns,
  type RunResult,
  type SqlParam,
  type TableInfo,
  type TableName,
  type WriteColumn,
  type WriteColumnType,
} from '../warehouse/index.js';

/** Rows per INSERT of a write: ≈ 20 KB of SQL text each, so a request holds about 200 of them within the server's limits. */
const INSERT_ROWS = 1_000;

/** How a job's column types are declared in the warehouse's (Snowflake) dialect when the job creates the output table. */
const SNOWFLAKE_TYPE: Record<WriteColumnType, string> = {
  DOUBLE: 'FLOAT',
  BIGINT: 'NUMBER(38,0)',
  INTEGER: 'NUMBER(38,0)',
  VARCHAR: 'VARCHAR',
  JSON: 'VARIANT',
  BOOLEAN: 'BOOLEAN',
};

/**
 * An ML service's link to the warehouse that calls it (the guide's SageMaker container connecting
 * back to Snowflake): its URL and its API key come from the operator (`--warehouse-url`, the secret
 * store), never from a request. Each training call gets the warehouse's tables in a session whose
 * context is the caller's database and schema.
 */
export class WarehouseLink {
  constructor(
    readonly url: string,
    /** Read at each call, so a rotated key is used without a restart. */
    private readonly key: () => string,
  ) {}

  source(context: SessionInit): JobSource {
    return { url: this.url, tables: new RemoteTables(this.url, this.key, context) };
  }
}

/**
 * The tables of a training job as another recpipe server holds them, through its statements API:
 * shape checks as `describe`/`show`, the ratings as one bound SELECT, and the recommendations as one
 * request (`begin; delete; insert …; commit`) that the server runs on one connection, so its readers
 * see the old rows or the new ones and a failed request leaves the table as it was.
 */
class RemoteTables implements JobTables {
  constructor(
    private readonly url: string,
    private readonly key: () => string,
    private readonly context: SessionInit,
  ) {}

  /** A session per step: a job's write may come long after its read, when the first session has idled out. */
  private async execute(sql: string, bindings?: SqlParam[]): Promise<StatementResult[]> {
    const client = await HttpSqlClient.open(this.url, this.context, this.key());
    return (await client.execute(sql, bindings)).results;
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    const results = await this.execute(sql, [...params]);
    const last = results[results.length - 1];
    return {
      columns: last.columns,
      rows: last.rows,
      rowsChanged: last.kind === 'command' ? last.rowCount : 0,
      returnsRows: last.kind === 'query',
      statementType: '',
    };
  }

  async listSchemas(database: string): Promise<string[]> {
    const r = await orNull(this.execute(`show schemas in database ${quoteIdent(database)}`));
    return r === null ? [] : column(r[0], 'name').map(String);
  }

  async listTables(filter: { database?: string; schema?: string }): Promise<TableInfo[]> {
    if (filter.database === undefined || filter.schema === undefined)
      throw new RecpipeError('INTERNAL', 'a linked warehouse lists the tables of one schema at a time');
    const { database, schema } = filter;
    const where = `${quoteIdent(database)}.${quoteIdent(schema)}`;
    const r = await orNull(this.execute(`show tables in schema ${where}; show views in schema ${where}`));
    if (r === null) return [];
    const views = new Set(column(r[1], 'name').map(String));
    const info = (name: string, kind: TableInfo['kind']): TableInfo => ({
      database,
      schema,
      name,
      kind,
      rowCount: null,
      bytes: null,
      comment: null,
    });
    return [
      ...column(r[0], 'name')
        .map(String)
        .filter((n) => !views.has(n))
        .map((n) => info(n, 'TABLE')),
      ...[...views].map((n) => info(n, 'VIEW')),
    ];
  }

  async tableColumns(table: TableName): Promise<ColumnInfo[] | null> {
    const r = await orNull(this.execute(`describe table ${quoteTableName(table)}`));
    if (r === null) return null;
    const [names, types, nulls] = [column(r[0], 'name'), column(r[0], 'type'), column(r[0], 'null?')];
    return names.map((name, i) => ({
      name: String(name),
      type: adapterType(String(types[i])),
      nullable: nulls[i] !== 'N',
      defaultValue: null,
    }));
  }

  async readRatings(table: TableName, c: RatingColumns, open: () => RatingsBuilder): Promise<RatingsBuilder> {
    const [r] = await this.execute(
      `select ${quoteIdent(c.user)}, ${quoteIdent(c.item)}, ${quoteIdent(c.rating)} from ${quoteTableName(table)}`,
    );
    const n = r.rows.length;
    const ratings = new Float64Array(n);
    for (let k = 0; k < n; k++) ratings[k] = r.rows[k][2] === null ? NaN : Number(r.rows[k][2]);
    const read = (userAs: RatingColumns['userAs'], itemAs: RatingColumns['itemAs']): RatingsBuilder => {
      const builder = open();
      builder.append(ids(r.rows, 0, userAs), ids(r.rows, 1, itemAs), ratings, n);
      return builder;
    };
    const first = read(c.userAs, c.itemAs);
    // A double beyond 2^53 has lost digits: that column is taken again as text, as the local reader does.
    return first.inexact === null
      ? first
      : read(first.inexact === 'user' ? 'text' : c.userAs, first.inexact === 'item' ? 'text' : c.itemAs);
  }

  async writeTable(table: TableName, columns: readonly WriteColumn[]): Promise<number> {
    const target = quoteTableName(table);
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    const row = `(${columns.map((c) => (c.type === 'JSON' ? 'parse_json(?)' : '?')).join(', ')})`;
    const rows = columns[0] === undefined ? 0 : columnRows(columns[0].values);
    const statements = [
      `create table if not exists ${target} (${columns.map((c) => `${quoteIdent(c.name)} ${SNOWFLAKE_TYPE[c.type]}`).join(', ')})`,
      'begin',
      `delete from ${target}`,
    ];
    const bindings: SqlParam[] = [];
    for (let from = 0; from < rows; from += INSERT_ROWS) {
      const to = Math.min(rows, from + INSERT_ROWS);
      statements.push(`insert into ${target} (${names}) values ${Array.from({ length: to - from }, () => row).join(', ')}`);
      for (let r = from; r < to; r++) for (const c of columns) bindings.push(param(columnValue(c.values, r)));
    }
    statements.push('commit');
    await this.execute(statements.join(';\n'), bindings);
    return rows;
  }
}

/** A missing database, schema or table reads as absent, as the local warehouse reports it. */
async function orNull<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof RecpipeError && e.code === 'NOT_FOUND') return null;
    throw e;
  }
}

function column(result: StatementResult, name: string): unknown[] {
  const i = result.columns.findIndex((c) => c.name.toLowerCase() === name);
  if (i < 0) throw new RecpipeError('INTERNAL', `the linked warehouse answered "${result.statement}" without a ${name} column`);
  return result.rows.map((r) => r[i]);
}

/** An id column as the ratings builder takes it: doubles when every value is a JSON number, else text (exact beyond 2^53). */
function ids(rows: readonly unknown[][], i: number, as: 'number' | 'text'): Float64Array | (string | null)[] {
  if (as === 'number' && rows.every((r) => typeof r[i] === 'number' || r[i] === null))
    return Float64Array.from(rows, (r) => (r[i] === null ? NaN : (r[i] as number)));
  return rows.map((r) => (r[i] === null ? null : String(r[i])));
}

function param(v: string | number | boolean | null | undefined): SqlParam {
  return v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
}

/** A Snowflake type as `describe table` shows it → the local adapter's type text, which the job's table checks read. */
export function adapterType(type: string): string {
  const t = type.trim().toUpperCase();
  const num = /^(?:NUMBER|NUMERIC|DECIMAL)(?:\((\d+)(?:,\s*(\d+))?\))?$/.exec(t);
  if (num) return `DECIMAL(${num[1] ?? 38},${num[2] ?? 0})`;
  if (/^(?:INT|INTEGER|BIGINT|SMALLINT|TINYINT|BYTEINT)$/.test(t)) return 'BIGINT';
  if (/^(?:FLOAT[48]?|DOUBLE(?: PRECISION)?|REAL)$/.test(t)) return 'DOUBLE';
  if (/^(?:N?VARCHAR|STRING|TEXT|N?CHAR(?:ACTER)?)(?:\(\d+\))?$/.test(t)) return 'VARCHAR';
  if (t === 'VARIANT') return 'JSON';
  return t;
}
