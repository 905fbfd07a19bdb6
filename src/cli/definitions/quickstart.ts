import type { Command } from 'commander';
import { lazy } from './lazy.js';

export function registerQuickstart(program: Command): void {
  program
    .command('quickstart')
    .description('Play the whole guide on the embedded warehouse: load MovieLens, train, recommend, deploy, invoke_model')
    .option('--data <dir>', 'folder with MovieLens ratings.csv and movies.csv (default: download ml-latest-small)')
    .option('--home <dir>', 'data directory (default $RECPIPE_HOME or ./recpipe-data)')
    .option('--download-url <url>', 'where to download ml-latest-small.zip from')
    .action(lazy(() => import('../commands/quickstart.js'), 'quickstart'));
}
