import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { addControlOptions } from './options.js';
import { lazy } from './lazy.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description(
      "Cross-validate, fit on all ratings, write the model artifact and every user's top-N (the guide's training container): " +
        'from a file (--ratings, --model), or as a training job from a table to a table (--input-table, --output-table)',
    )
    .option('--ratings <file>', 'file mode: ratings CSV/TSV: user,item,rating[,timestamp], header optional')
    .option(
      '--input-table <table>',
      "table mode: ratings table (USERID, MOVIEID, RATING), e.g. movielens.public.ratings; runs a training job in the home's server, or in-process",
    )
    .option('--output-table <table>', "table mode: table to (re)write with every user's top-N")
    .option('--database <name>', 'table mode: database for unqualified table names')
    .option('--schema <name>', 'table mode: schema for unqualified table names (default PUBLIC)')
    .option('--max-runtime <seconds>', 'table mode: stop the job after this long (default one day)')
    .option(
      '--algo <name>',
      'svd | svdpp | timesvd | baseline | als | knnbasic | knnwithmeans | knnbaseline | ease | wrmf | bpr | blend (Surprise class names such as SVDpp, BaselineOnly, KNNBaseline also work)',
      'svd',
    )
    .option(
      '--param <k=v>',
      "hyperparameter, Surprise's names accepted (repeatable): --param n_factors=50 --param lr_all=0.01",
      collect,
      [],
    )
    .option('--cv <k>', 'shuffled k-fold cross-validation (0 to skip)', '5')
    .option('--folds <dir>', 'predefined folds: fold<N>.train.csv / fold<N>.test.csv pairs (instead of --cv)')
    .option('--seed <n>', 'random seed: the same seed gives the same model', '0')
    .option('--model <dir>', 'file mode: where to write the model artifact (must not exist)')
    .option('--top-n <n>', 'recommendations per user (0 to skip)', '10')
    .option('--recommendations <file>', 'write top-N per user: .csv (USERID,RECOMMENDATIONS), .json or .jsonl')
    .option('--json <file>', 'write every figure of the run as JSON')
    .option('--scale <min,max>', 'rating scale (default: inferred from the data)')
    .option('--kernels <kind>', 'auto | wasm | typescript', 'auto')
    .option(
      '--workers <n>',
      'worker threads for cross-validation folds and top-N (1 = run them here; the lists are the same)',
      String(availableParallelism()),
    );
  addControlOptions(command).action(lazy(() => import('../commands/train.js'), 'chooseMode'));
}
