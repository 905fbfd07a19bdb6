import { RatingsBuilder, invalid, type Dataset, type IdMap } from '../core/index.js';
import { display } from './job-spec.js';
import type { JobTables, TablePlan } from './table-plan.js';

export interface LoadedRatings {
  readonly dataset: Dataset;
  readonly rowsRead: number;
  readonly duplicates: number;
  /** Reported, counted oddities that are not errors (negative ratings). */
  readonly warnings: readonly string[];
}

/**
 * The Downloading phase, through the one ratings reader: the input table's three columns streamed
 * into typed arrays (numeric ids travel as doubles, text ids as text), ids interned column-wise and
 * normalised so that 1, 1.0 and '1' are one id (and, when asked, the timestamp column as seconds),
 * NULL and non-finite values refused with their
 * count and first rows, repeated (user, item) pairs reduced to their last rating.
 */
export async function readRatings(
  warehouse: JobTables,
  plan: TablePlan,
  opts: { readonly timestamps?: boolean } = {},
): Promise<LoadedRatings> {
  const { table, user, item, rating, userKind, itemKind, timestamp } = plan.input;
  const builder = await warehouse.readRatings(
    table,
    {
      user,
      item,
      rating,
      userAs: userKind === 'text' ? 'text' : 'number',
      itemAs: itemKind === 'text' ? 'text' : 'number',
      // Timestamps cost 8 bytes a rating: read only for a time-aware model.
      ...(opts.timestamps && timestamp ? { timestamp } : {}),
    },
    (expectedRows) => new RatingsBuilder({ expectedRows }),
  );
  if (builder.rowsRead === 0) throw invalid(`input table ${display(table)} has no rows to train on`, { table: display(table) });
  if (builder.badRows > 0) {
    const name = { user, item, rating };
    const first = builder.problems.map((p) => `row ${p.row + 1}: ${name[p.field]} ${p.value} ${p.why}`).join('; ');
    throw invalid(
      `input table ${display(table)} has ${builder.badRows} row${builder.badRows === 1 ? '' : 's'} with a NULL (or non-finite) ${user}, ${item} or ${rating} ` +
        `(${first}); remove or fill them before training`,
      { table: display(table), rows: builder.badRows },
    );
  }
  const built = builder.finish(`input table ${display(table)}`);
  checkOutputUserIds(plan, built.dataset.userIds);
  const { count, firstRow } = built.negative;
  const warnings =
    count > 0
      ? [`input table ${display(table)} has ${count} negative ${rating} value${count === 1 ? '' : 's'} (the first in row ${firstRow + 1})`]
      : [];
  return { dataset: built.dataset, rowsRead: built.rowsRead, duplicates: built.duplicates.count, warnings };
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
      throw invalid(
        `output table ${display(plan.output.table)} takes ${type} user ids, but user id ${JSON.stringify(id)} of ${display(plan.input.table)} ${why}`,
        {
          table: display(plan.output.table),
        },
      );
    }
  }
}
