import type { ServiceContext } from '../context.js';
import type { HealthResponse } from '../schemas.js';

/** Lets a client check that a recorded server is alive and serves the home it expects. */
export function health(ctx: ServiceContext): HealthResponse {
  return { status: 'ok', home: ctx.home, pid: ctx.pid, version: ctx.version };
}
