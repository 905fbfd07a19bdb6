import { healthRoutes } from './health.js';
import { sessionRoutes } from './sessions.js';
import { statementRoutes } from './statements.js';
import { trainingJobRoutes } from './training-jobs.js';
import { externalFunctionRoutes } from './external-functions.js';
import { endpointRoutes } from './endpoints.js';
import { stageRoutes } from './stages.js';
import { snowflakeRoutes } from './snowflake.js';
import { sagemakerRoutes } from './sagemaker.js';
import { consoleRoutes } from './console.js';
import { consoleDataRoutes } from './console-data.js';
import { consoleOpsRoutes } from './console-ops.js';
import { consoleLiveRoutes } from './console-live.js';
import type { RouteArea } from './route-area.js';

export type { RouteArea } from './route-area.js';

/** Every API area, registered in this order; a new area adds one line. */
export const routeAreas: readonly RouteArea[] = [
  healthRoutes,
  sessionRoutes,
  statementRoutes,
  stageRoutes,
  trainingJobRoutes,
  endpointRoutes,
  externalFunctionRoutes,
  snowflakeRoutes,
  sagemakerRoutes,
  consoleRoutes,
  consoleDataRoutes,
  consoleOpsRoutes,
  consoleLiveRoutes,
];
