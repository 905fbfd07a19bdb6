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

/**
 * Rows per page of a read: a reply of a few MB (three columns of numbers or short ids) whatever the
 * table's size, parsed while the next page is on its way.
 */
export const PAGE_ROWS = 100_000;

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
    private readonly pageRows = PAGE_ROWS,
  ) {}

  source(context: SessionInit): JobSource {
    return { url: this.url, tables: new RemoteTables(this.url, this.key, context, this.pageRows) };
  }
}

/**
 * The tables of a training job as another recpipe server holds them, through its statements API:
 * shape checks as `describe`/`show`, the ratings as pages of a SELECT read in one transaction (so
 * every page sees the same snapshot) with results by column, and the recommendations as one
 * request (`begin; delete; insert …; commit`) that the server runs on one connection, so its readers
 * see the old rows or the new ones and a failed request leaves the table as it was.
 */
class RemoteTables implements JobTables {
  constructor(
    private readonly url: string,
    private readonly key: () => string,
    private readonly context: SessionInit,
    private readonly pageRows: number,
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
    const first = await this.readPages(table, c, open());
    // A double beyond 2^53 has lost digits: that column is taken again as text, as the local reader does.
    if (first.inexact === null) return first;
    const again = {
      ...c,
      userAs: first.inexact === 'user' ? 'text' : c.userAs,
      itemAs: first.inexact === 'item' ? 'text' : c.itemAs,
    } as const;
    return this.readPages(table, again, open());
  }

  /**
   * The table page by page, in one transaction of one session. Without ORDER BY the pages still
   * partition the rows: a scan keeps insertion order (DuckDB's preserve_insertion_order) and the
   * snapshot does not move; the row count read first in the same snapshot checks it.
   */
  private async readPages(table: TableName, c: RatingColumns, builder: RatingsBuilder): Promise<RatingsBuilder> {
    const client = await HttpSqlClient.open(this.url, this.context, this.key());
    const from = quoteTableName(table);
    // Cast on the warehouse side, as the local reader does: doubles travel as plain numbers, never as exact decimals.
    const as = (name: string, kind: 'number' | 'text'): string =>
      `cast(${quoteIdent(name)} as ${kind === 'number' ? 'double' : 'varchar'})`;
    const t = c.timestamp;
    // Seconds since 1970 as the local reader's epoch() gives them (fractions kept); Snowflake's own date_part, so a real Snowflake answers too.
    const time = t
      ? `, cast(${t.as === 'epoch' ? `date_part(epoch_millisecond, ${quoteIdent(t.name)}) / 1000` : quoteIdent(t.name)} as double)`
      : '';
    const select = `select ${as(c.user, c.userAs)}, ${as(c.item, c.itemAs)}, ${as(c.rating, 'number')}${time} from ${from} limit ? offset ?`;
    const page = (offset: number) => client.execute(select, [this.pageRows, offset], { resultFormat: 'columns' });
    await client.execute('begin');
    try {
      const [count] = (await client.execute(`select count(*) from ${from}`)).results;
      const total = Number(count.rows[0][0]);
      let next = total > 0 ? page(0) : null;
      for (let offset = 0; next !== null; offset += this.pageRows) {
        const [r] = (await next).results;
        next = offset + this.pageRows < total ? page(offset + this.pageRows) : null;
        const [users, items, ratings, times] = r.columnData ?? [];
        if (ratings === undefined || (t && times === undefined))
          throw new RecpipeError('INTERNAL', `the linked warehouse at ${this.url} answered without columnData (resultFormat columns)`);
        builder.append(ids(users, c.userAs), ids(items, c.itemAs), numbers(ratings), ratings.length, times && numbers(times));
        if (ratings.length < this.pageRows && next !== null)
          throw new RecpipeError('INTERNAL', `${from} changed while it was read from the linked warehouse`);
      }
      if (builder.rowsRead !== total)
        throw new RecpipeError('INTERNAL', `read ${builder.rowsRead} rows of ${from} from the linked warehouse, which counted ${total}`);
      return builder;
    } finally {
      await client.execute('rollback').catch(() => undefined);
    }
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

/** NULL as NaN. A loop: Float64Array.from with a mapping function is several times slower on large arrays. */
function numbers(values: readonly unknown[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let k = 0; k < values.length; k++) out[k] = values[k] === null ? NaN : Number(values[k]);
  return out;
}

/**
 * An id column as the ratings builder takes it. A numeric column arrives as JSON numbers, or as
 * decimal strings beyond 2^53, which read as doubles too large to be exact: the builder reports
 * that and the column is read again as text.
 */
function ids(values: readonly unknown[], as: 'number' | 'text'): Float64Array | (string | null)[] {
  if (as === 'number') return numbers(values);
  return values.map((v) => (v === null ? null : String(v)));
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
