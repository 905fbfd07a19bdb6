import type { Command } from 'commander';
import { registerQuickstart } from './quickstart.js';
import { registerTrain } from './train.js';
import { registerServer } from './server.js';
import { registerSql } from './sql.js';
import { registerLoad } from './load.js';
import { registerServeModel } from './serve-model.js';
import { registerPredict } from './predict.js';
import { registerJobs } from './jobs.js';
import { registerEndpoints } from './endpoints.js';
import { registerDeploy } from './deploy.js';
import { registerSecret } from './secret.js';
import { registerKeys } from './keys.js';
import { registerEvaluate } from './evaluate.js';
import { registerTune } from './tune.js';

/** Each command lives in its own module and registers itself here (one line each). */
export function registerCommands(program: Command): void {
  registerQuickstart(program);
  registerTrain(program);
  registerServer(program);
  registerSql(program);
  registerLoad(program);
  registerServeModel(program);
  registerPredict(program);
  registerJobs(program);
  registerEndpoints(program);
  registerDeploy(program);
  registerSecret(program);
  registerKeys(program);
  registerEvaluate(program);
  registerTune(program);
}
