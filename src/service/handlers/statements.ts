import type { StatementResult } from '../../engine/index.js';
import type { ServiceContext } from '../context.js';
import type { SessionView, StatementsBody } from '../schemas.js';
import { sessionView } from './sessions.js';

export interface StatementsReply {
  sessionId: string;
  results: StatementResult[];
  session: SessionView;
}

/**
 * Runs the statements in the given session, or in a new one when none is given; the reply carries the
 * session id and its context after the run, so a client keeps `use schema` state by passing the id back.
 */
export async function runStatements(ctx: ServiceContext, body: StatementsBody): Promise<StatementsReply> {
  const id = body.sessionId ?? ctx.sessions.add(ctx.engine.createSession()).id;
  return ctx.sessions.run(id, async (session) => {
    const results = await ctx.engine.execute(session, body.sql, body.bindings);
    return { sessionId: session.id, results, session: sessionView(session) };
  });
}
