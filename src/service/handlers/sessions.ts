import type { Session } from '../../engine/index.js';
import type { ServiceContext } from '../context.js';
import type { CreateSessionBody, SessionView } from '../schemas.js';

/** A session's public state; copied so later changes to the live session do not leak into a sent reply. */
export function sessionView(s: Session): SessionView {
  return { id: s.id, role: s.role, database: s.database, schema: s.schema, warehouse: s.warehouse };
}

export function createSession(ctx: ServiceContext, body: CreateSessionBody): SessionView {
  return sessionView(ctx.sessions.add(ctx.engine.createSession(body)));
}

export function getSession(ctx: ServiceContext, id: string): SessionView {
  return sessionView(ctx.sessions.get(id));
}
