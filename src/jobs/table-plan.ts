import { RecpipeError, invalid, notFound } from '../core/index.js';
import { displayName, quoteTableName, type ColumnInfo, type TableName, type Warehouse } from '../warehouse/index.js';
import type { JobColumns, JobSpec } from './job.js';
import { display } from './job-spec.js';

/** What a job needs of the warehouse holding its tables: this home's, or another server's reached through its statements API. */
export type JobTables = Pick<Warehouse, 'run' | 'listSchemas' | 'listTables' | 'tableColumns' | 'readRatings' | 'writeTable'>;

/** How an id column's values are typed, which decides how they are written back. */
export type IdKind = 'integer' | 'float' | 'text';

export type OutputUserType = 'BIGINT' | 'DOUBLE' | 'VARCHAR';

/** The checked shape of a job's tables: real column names (as spelled in the table) and types. */
export interface TablePlan {
  readonly input: {
    readonly table: TableName;
    readonly user: string;
    readonly item: string;
    readonly rating: string;
    readonly userKind: IdKind;
    readonly itemKind: IdKind;
    /** When each rating was given (the job's timestamp_column, else a column named TIMESTAMP, TS or TIME), for time-aware models. */
    readonly timestamp?: { readonly name: string; readonly as: 'epoch' | 'number' };
  };
  readonly output: {
    readonly table: TableName;
    readonly exists: boolean;
    readonly userColumn: string;
    readonly recommendationsColumn: string;
    readonly userType: OutputUserType;
  };
  /** The search's trials table (replaced whole), when the job asks for one. */
  readonly results?: { readonly table: TableName; readonly exists: boolean };
}

const INPUT_COLUMNS = ['USERID', 'MOVIEID', 'RATING'];
/** The columns of an output table the job creates. */
const NEW_OUTPUT = { user: 'USERID', recommendations: 'RECOMMENDATIONS' };
const USER_TYPE: Record<IdKind, OutputUserType> = { integer: 'BIGINT', float: 'DOUBLE', text: 'VARCHAR' };

/**
 * Checks, before any work, that the input table has USERID, MOVIEID and RATING (matched
 * case-insensitively, ids numeric or text, ratings numeric) and at least one row, and that the
 * output table is absent (its schema existing) or has exactly two columns: a user id and the
 * recommendations (VARIANT), whatever their names — the guide's `(USERID float,
 * TOP_10_RECOMMENDATIONS variant)` as much as recpipe's own `(USERID, RECOMMENDATIONS)`.
 */
export async function planTables(warehouse: JobTables, spec: JobSpec): Promise<TablePlan> {
  const input = await planInput(warehouse, spec.input, spec.timestampColumn);
  const output = await planOutput(warehouse, spec.output, input.userKind);
  return { input, output, ...(spec.resultsTable ? { results: await planResults(warehouse, spec.resultsTable) } : {}) };
}

/** The results table is replaced whole, so any existing table will do; a view will not, and a new one needs its schema. */
async function planResults(warehouse: JobTables, table: TableName): Promise<NonNullable<TablePlan['results']>> {
  const listed = (await warehouse.listTables({ database: table.database, schema: table.schema })).find(
    (t) => t.name.toUpperCase() === table.name.toUpperCase(),
  );
  if (listed && listed.kind !== 'TABLE')
    throw invalid(`results_table ${display(table)} is a view; the search writes its trials into a table`, { table: display(table) });
  if (!listed) await checkSchemaExists(warehouse, table);
  return { table, exists: listed !== undefined };
}

async function planInput(warehouse: JobTables, table: TableName, timestampColumn?: string): Promise<TablePlan['input']> {
  const cols = await warehouse.tableColumns(table);
  if (!cols) throw notFound(`input table ${display(table)} does not exist`, { table: display(table) });
  const [user, item, rating] = INPUT_COLUMNS.map((name) => {
    const col = find(cols, name);
    if (!col) {
      throw invalid(
        `input table ${display(table)} has no ${name} column (it has ${cols.map((c) => c.name).join(', ')}); a training table needs USERID, MOVIEID and RATING`,
        {
          table: display(table),
          column: name,
        },
      );
    }
    return col;
  });
  const ratingKind = kindOf(rating.type);
  if (ratingKind !== 'integer' && ratingKind !== 'float') {
    throw invalid(`column ${rating.name} of input table ${display(table)} has type ${rating.type}; ratings must be numbers`, {
      table: display(table),
      column: rating.name,
    });
  }
  const plan = {
    table,
    user: user.name,
    item: item.name,
    rating: rating.name,
    userKind: idKind(user, table, 'input'),
    itemKind: idKind(item, table, 'input'),
    ...timestampOf(cols, table, timestampColumn),
  };
  const any = await warehouse.run(`SELECT 1 FROM ${quoteTableName(table)} LIMIT 1`);
  if (any.rows.length === 0)
    throw new RecpipeError('FAILED_PRECONDITION', `input table ${display(table)} is empty: there are no ratings to train on`, {
      table: display(table),
    });
  return plan;
}

async function planOutput(warehouse: JobTables, table: TableName, inputUserKind: IdKind): Promise<TablePlan['output']> {
  const listed = (await warehouse.listTables({ database: table.database, schema: table.schema })).find(
    (t) => t.name.toUpperCase() === table.name.toUpperCase(),
  );
  if (!listed) {
    await checkSchemaExists(warehouse, table);
    return {
      table,
      exists: false,
      userColumn: NEW_OUTPUT.user,
      recommendationsColumn: NEW_OUTPUT.recommendations,
      userType: USER_TYPE[inputUserKind],
    };
  }
  if (listed.kind !== 'TABLE')
    throw invalid(`output ${display(table)} is a view; the job writes its recommendations into a table`, { table: display(table) });
  const cols = (await warehouse.tableColumns(table)) ?? [];
  const shape = cols.map((c) => `${c.name} ${c.type}`).join(', ');
  const fix = `an output table has two columns, the user id and a VARIANT for the recommendations (e.g. USERID FLOAT, TOP_10_RECOMMENDATIONS VARIANT); or drop it and the job creates one`;
  if (cols.length !== 2)
    throw invalid(`output table ${display(table)} has ${cols.length} column(s) (${shape}); ${fix}`, { table: display(table) });
  const recs = recommendationsColumn(cols);
  if (!recs)
    throw invalid(`output table ${display(table)} (${shape}): cannot tell which column holds the recommendations; ${fix}`, {
      table: display(table),
    });
  const user = cols.find((c) => c !== recs) as ColumnInfo;
  return {
    table,
    exists: true,
    userColumn: user.name,
    recommendationsColumn: recs.name,
    userType: USER_TYPE[idKind(user, table, 'output')],
  };
}

/**
 * The one VARIANT (JSON) column; without one, a text column beside a numeric id (the lists as JSON
 * text). Two candidates are told apart only by the name RECOMMENDATIONS; otherwise null (ambiguous).
 */
function recommendationsColumn(cols: readonly ColumnInfo[]): ColumnInfo | null {
  const json = cols.filter((c) => c.type.toUpperCase() === 'JSON');
  const candidates = json.length > 0 ? json : cols.filter((c) => c.type.toUpperCase() === 'VARCHAR');
  if (candidates.length === 1) return candidates[0];
  const named = candidates.filter((c) => c.name.toUpperCase() === NEW_OUTPUT.recommendations);
  return named.length === 1 ? named[0] : null;
}

const TIME_COLUMNS = ['TIMESTAMP', 'TS', 'TIME'];

/**
 * The input's timestamp column: the one named by the job (which must exist and hold times or
 * numbers), else the first column named TIMESTAMP, TS or TIME of such a type; none otherwise.
 */
function timestampOf(cols: readonly ColumnInfo[], table: TableName, named?: string): Pick<TablePlan['input'], 'timestamp'> {
  const as = (c: ColumnInfo): 'epoch' | 'number' | null =>
    /^(TIMESTAMP|DATE)/i.test(c.type) ? 'epoch' : kindOf(c.type) === 'integer' || kindOf(c.type) === 'float' ? 'number' : null;
  if (named !== undefined) {
    const col = find(cols, named.toUpperCase());
    if (!col)
      throw invalid(`input table ${display(table)} has no timestamp column ${named} (it has ${cols.map((c) => c.name).join(', ')})`, {
        table: display(table),
        column: named,
      });
    const kind = as(col);
    if (!kind)
      throw invalid(
        `column ${col.name} of input table ${display(table)} has type ${col.type}; a timestamp column holds TIMESTAMP, DATE or epoch seconds (a number)`,
        { table: display(table), column: col.name },
      );
    return { timestamp: { name: col.name, as: kind } };
  }
  for (const name of TIME_COLUMNS) {
    const col = find(cols, name);
    const kind = col && as(col);
    if (col && kind) return { timestamp: { name: col.name, as: kind } };
  }
  return {};
}

/** Which column holds what, as the job description reports it. */
export function jobColumns(plan: TablePlan): JobColumns {
  const { input, output } = plan;
  return {
    input: { user: input.user, item: input.item, rating: input.rating },
    output: { user: output.userColumn, recommendations: output.recommendationsColumn, created: !output.exists },
  };
}

async function checkSchemaExists(warehouse: JobTables, table: TableName): Promise<void> {
  const schemas = await warehouse.listSchemas(table.database);
  if (schemas.length === 0) throw notFound(`database ${displayName([table.database])} of output table ${display(table)} does not exist`);
  if (!schemas.some((s) => s.toUpperCase() === table.schema.toUpperCase())) {
    throw notFound(`schema of output table ${display(table)} does not exist (database ${table.database} has ${schemas.join(', ')})`);
  }
}

const find = (cols: readonly ColumnInfo[], name: string): ColumnInfo | undefined => cols.find((c) => c.name.toUpperCase() === name);

function idKind(col: ColumnInfo, table: TableName, side: string): IdKind {
  const kind = kindOf(col.type);
  if (!kind) {
    throw new RecpipeError(
      'INVALID_ARGUMENT',
      `column ${col.name} of ${side} table ${display(table)} has type ${col.type}; ids must be numbers or text`,
      {
        table: display(table),
        column: col.name,
      },
    );
  }
  return kind;
}

/** DuckDB type text → id kind; null for types that cannot hold an id (dates, lists, blobs …). */
export function kindOf(type: string): IdKind | null {
  const t = type.toUpperCase();
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$/.test(t)) return 'integer';
  if (t === 'FLOAT' || t === 'DOUBLE' || t === 'REAL') return 'float';
  const decimal = /^DECIMAL\(\d+,\s*(\d+)\)$/.exec(t);
  if (decimal) return decimal[1] === '0' ? 'integer' : 'float';
  if (t === 'VARCHAR' || t === 'UUID') return 'text';
  return null;
}
