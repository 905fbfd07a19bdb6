import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { IdMap, dedupe, inferScale, invalid, normalizeId, type Dataset } from '../core/index.js';
import type { ColumnRequest, Warehouse } from '../warehouse/index.js';
import { display } from './job-spec.js';
import type { TablePlan } from './table-plan.js';

export interface LoadedRatings {
  readonly dataset: Dataset;
  readonly rowsRead: number;
  readonly duplicates: number;
}

/** Rows interned between two yields to the event loop, so SQL and HTTP keep being answered. */
const YIELD_EVERY = 16_384;

/** Integers beyond 2^53 lose digits as doubles; a column holding one is read again as text. */
const EXACT_LIMIT = 2 ** 53;

type IdColumn = Float64Array | (string | null)[];

/**
 * The Downloading phase: the input table's three columns as typed arrays, ids normalised so that
 * 1, 1.0 and '1' are one id (numeric id columns travel as doubles, four times faster than text,
 * unless an integer too large for a double forces text), NULLs refused with their count, repeated
 * (user, item) pairs reduced to their last rating as every recpipe loader does.
 */
export async function readRatings(warehouse: Warehouse, plan: TablePlan): Promise<LoadedRatings> {
  const { table, user, item, rating, userKind, itemKind } = plan.input;
  const request = (asText: boolean): ColumnRequest[] => [
    { name: user, as: asText || userKind === 'text' ? 'string' : 'float64' },
    { name: item, as: asText || itemKind === 'text' ? 'string' : 'float64' },
    { name: rating, as: 'float32' },
  ];
  let read = await warehouse.readColumns(table, request(false));
  if ((userKind === 'integer' && !exact(read.columns[user])) || (itemKind === 'integer' && !exact(read.columns[item]))) {
    read = await warehouse.readColumns(table, request(true));
  }
  const n = read.rowCount;
  if (n === 0) throw invalid(`input table ${display(table)} has no rows to train on`, { table: display(table) });
  const rawUsers = read.columns[user] as IdColumn;
  const rawItems = read.columns[item] as IdColumn;
  const ratings = read.columns[rating] as Float32Array;
  checkNulls(plan, rawUsers, rawItems, ratings);
  await yieldToEventLoop();
  const userIds = new IdMap();
  const itemIds = new IdMap();
  const users = await intern(rawUsers, userIds);
  const items = await intern(rawItems, itemIds);
  const raw: Dataset = { size: n, users, items, ratings, userIds, itemIds, scale: inferScale(ratings) };
  checkOutputUserIds(plan, userIds);
  // dedupe is one synchronous pass (≈ 10 ms per 100k rows); it starts on a fresh turn of the loop.
  await yieldToEventLoop();
  const { dataset, duplicates } = dedupe(raw, 'last');
  return { dataset, rowsRead: n, duplicates: duplicates.count };
}

function exact(column: unknown): boolean {
  const values = column as Float64Array;
  for (let r = 0; r < values.length; r++) if (Math.abs(values[r]) >= EXACT_LIMIT) return false;
  return true;
}

const missing = (column: IdColumn, r: number): boolean => (Array.isArray(column) ? column[r] === null : Number.isNaN(column[r]));

function checkNulls(plan: TablePlan, users: IdColumn, items: IdColumn, ratings: Float32Array): void {
  let bad = 0;
  let first = -1;
  for (let r = 0; r < ratings.length; r++) {
    if (missing(users, r) || missing(items, r) || !Number.isFinite(ratings[r])) {
      bad++;
      if (first < 0) first = r;
    }
  }
  if (bad > 0) {
    const { table, user, item, rating } = plan.input;
    throw invalid(
      `input table ${display(table)} has ${bad} row${bad === 1 ? '' : 's'} with a NULL (or non-finite) ${user}, ${item} or ${rating} ` +
        `(the first is row ${first + 1} of ${ratings.length}); remove or fill them before training`,
      { table: display(table), rows: bad },
    );
  }
}

/** Inner ids in order of first appearance; each distinct raw value is normalised once. */
async function intern(raw: IdColumn, ids: IdMap): Promise<Int32Array> {
  const out = new Int32Array(raw.length);
  const seen = new Map<string | number, number>();
  for (let r = 0; r < raw.length; r++) {
    const value = raw[r] as string | number;
    let inner = seen.get(value);
    if (inner === undefined) {
      inner = ids.intern(normalizeId(value));
      seen.set(value, inner);
    }
    out[r] = inner;
    if (r % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
  }
  return out;
}

/**
 * A numeric USERID column in the output can only take numeric user ids, and the table writer carries
 * numbers as doubles, exact up to 2^53: anything else is refused here, before training.
 */
function checkOutputUserIds(plan: TablePlan, userIds: IdMap): void {
  const type = plan.output.userType;
  if (type === 'VARCHAR') return;
  for (const id of userIds.rawIds()) {
    const n = Number(id);
    const why =
      id.trim() === '' || !Number.isFinite(n)
        ? `is not ${type === 'BIGINT' ? 'an integer' : 'a number'}`
        : type === 'BIGINT' && !Number.isInteger(n)
          ? 'is not an integer'
          : type === 'BIGINT' && !Number.isSafeInteger(n)
            ? `is beyond 2^53, which the table writer cannot carry exactly (use a VARCHAR USERID column)`
            : null;
    if (why) {
      throw invalid(`output table ${display(plan.output.table)} takes ${type} user ids, but user id ${JSON.stringify(id)} of ${display(plan.input.table)} ${why}`, {
        table: display(plan.output.table),
      });
    }
  }
}
