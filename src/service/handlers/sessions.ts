import type { Caller } from '../../auth/index.js';
import { RecpipeError } from '../../core/errors.js';
import type { Session } from '../../engine/index.js';
import type { ServiceContext } from '../context.js';
import type { CreateSessionBody, SessionView } from '../schemas.js';

/** A session's public state; copied so later changes to the live session do not leak into a sent reply. */
export function sessionView(s: Session): SessionView {
  return { id: s.id, role: s.role, database: s.database, schema: s.schema, warehouse: s.warehouse };
}

/** A new session for the caller: the owner acts as the built-in administrator, a key as its user (in the user's default role unless another granted one is asked for). */
export function openSession(ctx: ServiceContext, caller: Caller, body: CreateSessionBody = {}): Session {
  if (!caller.owner && caller.user === null) {
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `API key '${caller.name}' has no user and may only call /ext/*; create a key with a user: recpipe keys create --role ${caller.role} --name <name>`,
    );
  }
  const session = ctx.engine.createSession(caller.owner ? body : { ...body, user: caller.user! });
  return ctx.sessions.add(session, caller.prefix);
}

export function createSession(ctx: ServiceContext, caller: Caller, body: CreateSessionBody): SessionView {
  return sessionView(openSession(ctx, caller, body));
}

export function getSession(ctx: ServiceContext, caller: Caller, id: string): SessionView {
  return sessionView(ctx.sessions.get(id, caller.prefix));
}
