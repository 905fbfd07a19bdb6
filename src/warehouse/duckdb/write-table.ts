import { randomBytes } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { invalid } from '../../core/errors.js';
import { quoteIdent, quoteTableName } from '../identifiers.js';
import type { TableName, WriteColumn, WriteColumnType } from '../warehouse.js';
import { duckdbCall } from './errors.js';

const CHUNK_ROWS = 2048;

/** JSON travels as text through the appender and becomes JSON in the final CREATE TABLE … AS. */
const STAGE_TYPE: Record<WriteColumnType, DuckDBType> = { DOUBLE, BIGINT, INTEGER, VARCHAR, JSON: VARCHAR, BOOLEAN };

/**
 * Writes a whole table atomically: rows go through the Appender into a connection-private temp
 * table, then one transaction replaces the target with it, so readers see either the old table
 * or the complete new one, never a half-written table.
 */
export function writeTable(conn: DuckDBConnection, table: TableName, columns: readonly WriteColumn[]): Promise<number> {
  const rowCount = checkColumns(table, columns);
  const stage = `recpipe_stage_${randomBytes(6).toString('hex')}`;
  const defs = columns.map((c) => `${quoteIdent(c.name)} ${STAGE_TYPE[c.type].toString()}`).join(', ');
  const select = columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
  return duckdbCall(async () => {
    await conn.run(`CREATE TEMP TABLE ${quoteIdent(stage)} (${defs})`);
    try {
      await appendAll(conn, stage, columns, rowCount);
      await conn.run('BEGIN TRANSACTION');
      await conn.run(`CREATE OR REPLACE TABLE ${quoteTableName(table)} AS SELECT ${select} FROM temp.main.${quoteIdent(stage)}`);
      await conn.run('COMMIT');
    } catch (e) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(stage)}`);
    }
    return rowCount;
  });
}

function checkColumns(table: TableName, columns: readonly WriteColumn[]): number {
  if (columns.length === 0) throw invalid(`cannot write ${quoteTableName(table)} with no columns`);
  const seen = new Set<string>();
  for (const c of columns) {
    const key = c.name.toUpperCase();
    if (seen.has(key)) throw invalid(`column ${c.name} appears twice in the write to ${quoteTableName(table)}`);
    seen.add(key);
    if (c.values.length !== columns[0].values.length) {
      throw invalid(`column ${c.name} has ${c.values.length} values but ${columns[0].name} has ${columns[0].values.length} (write to ${quoteTableName(table)})`);
    }
  }
  return columns[0].values.length;
}

/** Chunks appended between two yields to the event loop (≈ 8k rows, a few ms), so a big write never stalls the server. */
const YIELD_EVERY_CHUNKS = 4;

async function appendAll(conn: DuckDBConnection, stage: string, columns: readonly WriteColumn[], rowCount: number): Promise<void> {
  const appender = await conn.createAppender(stage, 'main', 'temp');
  const types = columns.map((c) => STAGE_TYPE[c.type]);
  const fills = columns.map((c) => filler(c));
  for (let start = 0, chunks = 0; start < rowCount; start += CHUNK_ROWS, chunks++) {
    if (chunks > 0 && chunks % YIELD_EVERY_CHUNKS === 0) await yieldToEventLoop();
    const n = Math.min(CHUNK_ROWS, rowCount - start);
    const chunk = DuckDBDataChunk.create(types, n);
    fills.forEach((fill, ci) => {
      const vector = chunk.getColumnVector(ci);
      fill(vector, start, n);
      vector.flush();
    });
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}

type Cell = string | number | boolean | null;
type Fill = (vector: { setItem(i: number, v: never): void }, start: number, n: number) => void;

/** Text columns skip the per-value converter: 5–15% off a 1M-row write (measured beside the converter loop). */
function filler(c: WriteColumn): Fill {
  const values = c.values as ArrayLike<Cell>;
  const convert = converter(c.type);
  if (c.type === 'VARCHAR' || c.type === 'JSON') {
    return (vector, start, n) => {
      for (let i = 0; i < n; i++) {
        const v = values[start + i] ?? null;
        vector.setItem(i, (v === null || typeof v === 'string' ? v : String(v)) as never);
      }
    };
  }
  return (vector, start, n) => {
    for (let i = 0; i < n; i++) vector.setItem(i, convert(values[start + i] ?? null) as never);
  };
}

function converter(type: WriteColumnType): (v: Cell) => unknown {
  switch (type) {
    case 'BIGINT':
      return (v) => (v === null ? null : BigInt(Math.trunc(Number(v))));
    case 'DOUBLE':
    case 'INTEGER':
      return (v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? null : Number(v));
    case 'BOOLEAN':
      return (v) => (v === null ? null : Boolean(v));
    case 'VARCHAR':
    case 'JSON':
      return (v) => (v === null ? null : String(v));
  }
}
