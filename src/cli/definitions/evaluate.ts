import type { Command } from 'commander';
import { lazy } from './lazy.js';

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      "Ranking evaluation of a model artifact's algorithm and hyperparameters on a ratings file: each user's last N ratings " +
        '(by timestamp) are held out, the model is refit on the rest, and its top-k lists are scored (precision, recall, NDCG, MAP, ' +
        'coverage, novelty) beside a popularity and a random baseline',
    )
    .option('--model <dir>', 'model artifact directory (or file:// URI) written by recpipe train or a training job')
    .option('--artifact <uri>', 'the same, as an artifact URI (file://…)')
    .requiredOption('--ratings <file>', 'ratings CSV/TSV: user,item,rating[,timestamp], header optional')
    .option('--k <n>', 'length of the top-k lists', '10')
    .option(
      '--holdout <last:N>',
      'per user, hold out the last N ratings by timestamp (file order when there is no timestamp column)',
      'last:10',
    )
    .option('--threshold <rating>', 'a held-out rating at or above it is relevant', '4')
    .option('--seed <n>', "random seed of the refit and the random baseline (default: the artifact's)")
    .option('--json <file>', 'write every figure as JSON')
    .option('--kernels <kind>', 'auto | wasm | typescript', 'auto')
    .action(lazy(() => import('../commands/evaluate.js'), 'evaluate'));
}
