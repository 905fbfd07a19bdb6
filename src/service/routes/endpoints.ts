import { registerEndpointRoutes } from '../../endpoints/index.js';
import type { RouteArea } from './route-area.js';

/**
 * The endpoints' own routes (SageMaker runtime `/endpoints/:name/invocations|ping` and the
 * `/api/v1/endpoints` management routes), mounted as they are. Their errors have the service's
 * `{error: {code, message}}` shape; a not-serving endpoint answers 503 (SageMaker's ModelNotReady).
 */
export const endpointRoutes: RouteArea = (app, ctx) => registerEndpointRoutes(app, ctx.engine.endpoints);
