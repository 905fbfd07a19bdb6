/**
 * SageMaker-style real-time endpoints: named deployments of model artifacts, in memory, persisted
 * under `<home>/endpoints/`.
 *
 *   EndpointManager.open({ home })   reloads every stored endpoint (Creating → InService)
 *   deploy(name, artifactUri)        returns at once: Creating (new) or Updating (existing, still serving
 *                                    the old model until the new one is loaded, then one reference swap)
 *   describe / list / waitFor / delete
 *   invokeBatch(name, users, items, out)  vectorised clipped predictions, NaN for NULL ids
 *   invokeOne / recommend(name, user, k[, ratings])  a new user's ratings fold her in (see ModelRuntime)
 *
 * Errors: NOT_FOUND "Could not find endpoint X" (SageMaker's ValidationError), FAILED_PRECONDITION
 * "Endpoint X is not InService (status S)" (ModelNotReady), CONFLICT for a deploy while one is in
 * progress, INVALID_ARGUMENT for bad names, URIs and ids.
 *
 * HTTP (registerEndpointRoutes): POST /endpoints/{name}/invocations, GET /endpoints/{name}/ping, and
 * /api/v1/endpoints management routes.
 */
export { EndpointManager, type EndpointManagerOptions } from './endpoint-manager.js';
export { ENDPOINT_STATUSES, type EndpointDescription, type EndpointStatus, type ModelSummary } from './endpoint-state.js';
export { checkEndpointName } from './endpoint-name.js';
export { ModelRuntime, type Recommendation, type ScoreSource } from './model-runtime.js';
export { parseUserRatings, USER_RATINGS_SHAPE, type UserRatings } from './user-ratings.js';
export { endpointRoutes, registerEndpointRoutes, type EndpointRoutesOptions } from './http-routes.js';
export { EndpointMetrics, type EndpointHistory, type EndpointTraffic } from './endpoint-metrics.js';
export { TrafficLog, RETENTION_MINUTES, SHARED_SECONDS } from './traffic-log.js';
export { invokeEndpoint } from './http-handlers.js';
