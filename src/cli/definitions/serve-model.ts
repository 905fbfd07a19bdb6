import type { Command } from 'commander';
import { lazy } from './lazy.js';

export function registerServeModel(program: Command): void {
  program
    .command('serve-model')
    .description(
      'Serve a model artifact as a SageMaker-style inference container: GET /ping, POST /invocations (text/csv or application/json)',
    )
    .requiredOption('--model <dir>', 'model artifact: a directory or file:// URI written by recpipe train')
    .option('--port <port>', 'TCP port, 0 for any free one', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(lazy(() => import('../commands/serve-model.js'), 'serveModel'));
}
