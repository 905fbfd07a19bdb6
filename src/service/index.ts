export { createService, OPENAPI_PATH, type ServiceOptions } from './app.js';
export { startServer, type RunningServer, type ServeOptions } from './server.js';
export { toErrorResponse, type ErrorBody } from './http-errors.js';
export { DEFAULT_LIMITS, type ServiceContext, type ServiceEngine, type ServiceLimits } from './context.js';
export { requireCaller } from './authenticate.js';
export { SessionStore } from './session-store.js';
export { routeAreas, type RouteArea } from './routes/index.js';
export type { SessionView, StatementsBody, StatementsResponse, HealthResponse } from './schemas.js';
export type { StartJobBody } from './training-job-schemas.js';
