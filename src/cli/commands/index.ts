import type { Command } from 'commander';
import { registerQuickstart } from '../definitions/quickstart.js';
import { registerTrain } from '../definitions/train.js';
import { registerServer } from '../definitions/server.js';
import { registerSql } from '../definitions/sql.js';
import { registerLoad } from '../definitions/load.js';
import { registerServeModel } from '../definitions/serve-model.js';
import { registerPredict } from '../definitions/predict.js';
import { registerJobs } from '../definitions/jobs.js';
import { registerEndpoints } from '../definitions/endpoints.js';
import { registerDeploy } from '../definitions/deploy.js';
import { registerSecret } from '../definitions/secret.js';
import { registerKeys } from '../definitions/keys.js';
import { registerEvaluate } from '../definitions/evaluate.js';
import { registerTune } from '../definitions/tune.js';

/** Each command is defined (name, options, help) in definitions/ and registered here; its module loads only when it runs. */
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
