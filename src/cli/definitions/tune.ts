import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { lazy } from './lazy.js';

export function registerTune(program: Command): void {
  program
    .command('tune')
    .description(
      'Hyperparameter search by cross-validation: a sequential model-based (TPE) search over algorithms and their parameters ' +
        "within a time budget, or Surprise's GridSearchCV / RandomizedSearchCV (--search); saves the best, refitted on all ratings, with --model",
    )
    .requiredOption('--ratings <file>', 'ratings CSV/TSV: user,item,rating[,timestamp], header optional')
    .option('--folds <dir>', 'predefined folds: fold<N>.train.csv / fold<N>.test.csv pairs (instead of --cv)')
    .option('--cv <k>', 'shuffled k-fold cross-validation', '5')
    .option('--time-budget <seconds>', 'no trial starts after this long (TPE search; default 600)')
    .option('--algos <a,b>', 'algorithms to search (TPE; default every algorithm with a search space)')
    .option(
      '--search <json|file>',
      'the search as JSON or a JSON file: {"param_grid": {...}} (GridSearchCV), {"param_distributions": {...}, "n_iter": 20} ' +
        '(RandomizedSearchCV), or {"space": {"svd": {...}}, "fixed": {...}} (TPE)',
    )
    .option('--max-trials <n>', 'stop after this many trials (TPE)')
    .option('--json <file>', 'write the best and every trial as JSON')
    .option('--model <dir>', 'write the best, refitted on all ratings, as a model artifact here (must not exist)')
    .option('--seed <n>', 'random seed of the folds, the sampler and the fits', '0')
    .option('--scale <min,max>', 'rating scale (default: inferred from the data)')
    .option('--kernels <kind>', 'auto | wasm | typescript', 'auto')
    .option('--workers <n>', 'worker threads for folds and trials (1 = run here)', String(availableParallelism()))
    .action(lazy(() => import('../commands/tune.js'), 'tune'));
}
