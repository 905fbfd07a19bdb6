import { health } from '../handlers/index.js';
import { HealthResponse } from '../schemas.js';
import type { RouteArea } from './route-area.js';

export const healthRoutes: RouteArea = (app, ctx) => {
  app.get(
    '/api/v1/health',
    { schema: { summary: 'Liveness and identity of this server', tags: ['service'], response: { 200: HealthResponse } } },
    async () => health(ctx),
  );
};
