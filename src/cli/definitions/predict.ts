import type { Command } from 'commander';
import { lazy } from './lazy.js';

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description(
      "Send a payload CSV of user,item lines to a model server's /invocations, or to an endpoint of the home's recpipe server, and print user,item,prediction",
    )
    .argument('<file>', "payload CSV: one user,item pair per line, header optional (the guide's payload.csv)")
    .option('--url <url>', 'base URL of a running recpipe serve-model', 'http://localhost:8080')
    .option('--endpoint <name>', "an endpoint of the home's running recpipe server (see recpipe deploy), instead of --url")
    .option('--home <dir>', 'with --endpoint: data directory whose server to use (default $RECPIPE_HOME or ./recpipe-data)')
    .option('--server <url>', "with --endpoint: the recpipe server to use instead of finding the home's")
    .option('--key <key>', 'with --endpoint: API key (default $RECPIPE_API_KEY, else the home owner token)')
    .action(lazy(() => import('../commands/predict.js'), 'predict'));
}
