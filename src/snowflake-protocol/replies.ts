import type { Session, StatementResult } from '../engine/index.js';
import { SF_CODES, type SfError } from './errors.js';
import type { QueryRecord } from './queries.js';
import { encodeChunk, encodeResult, rowTypes } from './rowset.js';

/** Every Snowflake answer has this envelope; errors are HTTP 200 with `success: false`, as drivers expect. */
export interface SfReply {
  data: unknown;
  code: string | null;
  message: string | null;
  success: boolean;
}

export const ok = (data: unknown): SfReply => ({ data, code: null, message: null, success: true });

export function fail(e: SfError, data: Record<string, unknown> = {}): SfReply {
  return {
    data: { errorCode: e.code, sqlState: e.sqlState, internalError: false, ...data },
    code: e.code,
    message: e.message,
    success: false,
  };
}

/** Session parameters drivers read at login and with each result (formats, chunk prefetch, array-bind threshold). */
export const PARAMETERS: readonly { name: string; value: unknown }[] = [
  { name: 'TIMEZONE', value: 'UTC' },
  { name: 'TIMESTAMP_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM' },
  { name: 'TIMESTAMP_NTZ_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3' },
  { name: 'TIMESTAMP_LTZ_OUTPUT_FORMAT', value: '' },
  { name: 'TIMESTAMP_TZ_OUTPUT_FORMAT', value: '' },
  { name: 'DATE_OUTPUT_FORMAT', value: 'YYYY-MM-DD' },
  { name: 'TIME_OUTPUT_FORMAT', value: 'HH24:MI:SS' },
  { name: 'BINARY_OUTPUT_FORMAT', value: 'HEX' },
  { name: 'CLIENT_PREFETCH_THREADS', value: 4 },
  { name: 'CLIENT_RESULT_CHUNK_SIZE', value: 160 },
  { name: 'CLIENT_SESSION_KEEP_ALIVE', value: false },
  // Snowflake's default: array binds of more values go through a temporary stage (bind-stage.ts).
  { name: 'CLIENT_STAGE_ARRAY_BINDING_THRESHOLD', value: 65_280 },
  { name: 'QUERY_CONTEXT_CACHE_SIZE', value: 5 },
  { name: 'JS_TREAT_INTEGER_AS_BIGINT', value: false },
];

/** Rows sent in the first answer; the rest go in chunks the driver downloads (in parallel) from signed URLs. */
export const INLINE_ROWS = 8_192;
export const CHUNK_ROWS = 24_576;

/** Snowflake's statement type ids: drivers count updated rows only for DML ids (0x3xxx). */
function statementTypeId(result: StatementResult): number {
  const verb = /^\s*(\w+)/.exec(result.statement)?.[1]?.toUpperCase();
  switch (verb) {
    case 'INSERT':
      return 0x3100;
    case 'UPDATE':
      return 0x3200;
    case 'DELETE':
      return 0x3300;
    case 'MERGE':
      return 0x3400;
    default:
      return result.kind === 'query' ? 0x1000 : 0x6000;
  }
}

export function contextOf(session: Session): Record<string, string | null> {
  return {
    finalDatabaseName: session.database,
    finalSchemaName: session.schema,
    finalWarehouseName: session.warehouse,
    finalRoleName: session.role,
  };
}

/**
 * A finished query as Snowflake's drivers read it: `rowtype`, the first rows inline, and chunk URLs
 * (`chunkUrl(i)`) for the rest.
 */
export function queryReply(record: QueryRecord, session: Session, chunkUrl: (index: number) => string): SfReply {
  if (record.status === 'ABORTED')
    return fail({ code: SF_CODES.canceled, sqlState: '57014', message: 'SQL execution canceled' }, { queryId: record.id });
  if (record.error !== null) return fail(record.error, { queryId: record.id });
  const common = {
    queryId: record.id,
    parameters: PARAMETERS,
    databaseProvider: null,
    ...contextOf(session),
    version: 1,
    queryResultFormat: 'json',
    sendResultTime: Date.now(),
  };
  if (record.children.length > 0) {
    const { rowtype, rowset } = encodeResult(
      [{ name: 'multiple statement execution', type: 'VARCHAR' }],
      [['Multiple statements executed successfully.']],
    );
    return ok({ ...common, rowtype, rowset, total: 1, returned: 1, statementTypeId: 0x1000, resultIds: record.children.join(',') });
  }
  const result = record.result as StatementResult;
  const { rowtype, rowset } = encodeResult(result.columns, result.rows.slice(0, INLINE_ROWS));
  const chunks = [];
  for (let start = INLINE_ROWS, i = 0; start < result.rows.length; start += CHUNK_ROWS, i++) {
    const rowCount = Math.min(CHUNK_ROWS, result.rows.length - start);
    chunks.push({ url: chunkUrl(i), rowCount, uncompressedSize: rowCount * 64, compressedSize: rowCount * 64 });
  }
  return ok({
    ...common,
    rowtype: result.rows.length > INLINE_ROWS ? rowTypes(result.columns, result.rows) : rowtype,
    rowset,
    total: result.rows.length,
    returned: result.rows.length,
    statementTypeId: statementTypeId(result),
    ...(chunks.length > 0 ? { chunks, chunkHeaders: {} } : {}),
  });
}

/** A chunk's body: its rows as JSON arrays separated by commas, without the enclosing brackets (Snowflake's chunk format). */
export function chunkBody(result: StatementResult, index: number): string | null {
  const start = INLINE_ROWS + index * CHUNK_ROWS;
  if (!Number.isInteger(index) || index < 0 || start >= result.rows.length) return null;
  return encodeChunk(result.columns, result.rows, start, Math.min(start + CHUNK_ROWS, result.rows.length));
}

/** What `/monitoring/queries/<id>` answers. */
export function monitoringReply(record: QueryRecord): SfReply {
  return ok({
    queries: [
      {
        id: record.id,
        status: record.status,
        state: record.status === 'RUNNING' ? 'RUNNING' : 'SUCCEEDED',
        sqlText: record.sqlText,
        startTime: record.startTime,
        endTime: record.endTime ?? 0,
        totalDuration: (record.endTime ?? Date.now()) - record.startTime,
        errorCode: record.error?.code ?? null,
        errorMessage: record.error?.message ?? null,
      },
    ],
  });
}

export function inProgressReply(record: QueryRecord, async: boolean): SfReply {
  return {
    data: { queryId: record.id, getResultUrl: `/queries/${record.id}/result`, queryAbortsAfterSecs: 300, progressDesc: null },
    code: async ? SF_CODES.inProgressAsync : SF_CODES.inProgress,
    message: async
      ? 'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.'
      : 'Query execution in progress.',
    success: true,
  };
}
