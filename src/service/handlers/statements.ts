import type { Caller } from '../../auth/index.js';
import { RecpipeError } from '../../core/errors.js';
import type { StatementResult } from '../../engine/index.js';
import { splitStatements } from '../../sql/index.js';
import type { ServiceContext } from '../context.js';
import type { SessionView, StatementsBody } from '../schemas.js';
import { openSession, sessionView } from './sessions.js';

export interface StatementsReply {
  sessionId: string;
  results: StatementResult[];
  session: SessionView;
}

/** A request over the limits: 413, naming the limit. */
export class RequestTooLarge extends RecpipeError {
  constructor(message: string) {
    super('RESOURCE_EXHAUSTED', message, { httpStatus: 413 });
  }
}

/**
 * Runs the statements in the given session, or in a new one when none is given; the reply carries the
 * session id and its context after the run, so a client keeps `use schema` state by passing the id back.
 */
export async function runStatements(ctx: ServiceContext, caller: Caller, body: StatementsBody): Promise<StatementsReply> {
  checkSize(ctx, body.sql);
  const id = body.sessionId ?? openSession(ctx, caller).id;
  return ctx.sessions.run(
    id,
    async (session) => {
      const results = await ctx.engine.execute(session, body.sql, body.bindings);
      return {
        sessionId: session.id,
        results: body.resultFormat === 'columns' ? results.map(byColumn) : results,
        session: sessionView(session),
      };
    },
    caller.prefix,
  );
}

/** A query's rows as one array per column: a few large arrays serialise and parse far faster than one small array per row. */
function byColumn(r: StatementResult): StatementResult {
  if (r.kind !== 'query') return r;
  const columnData = r.columns.map((_, c) => r.rows.map((row) => row[c]));
  return { ...r, rows: [], columnData };
}

function checkSize(ctx: ServiceContext, sql: string): void {
  const bytes = Buffer.byteLength(sql);
  if (bytes > ctx.limits.maxSqlBytes)
    throw new RequestTooLarge(
      `the SQL text is ${bytes} bytes; a request may carry at most ${ctx.limits.maxSqlBytes} (split the script into several requests)`,
    );
  const count = splitStatements(sql).length;
  if (count > ctx.limits.maxStatements)
    throw new RequestTooLarge(
      `the request has ${count} statements; at most ${ctx.limits.maxStatements} per request (split the script into several requests)`,
    );
}
