import {
  buildTestset,
  buildTrainset,
  createRng,
  evaluateRanking,
  formatRankingTable,
  getAlgorithm,
  invalid,
  lastNHoldout,
  mae,
  predictTestset,
  predictsRatings,
  rmse,
} from '../../core/index.js';
import { readArtifact } from '../../artifacts/index.js';
import { readRatingsFile } from '../../datasets/index.js';
import { loadKernels, type KernelPreference } from '../../kernels/index.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { integer } from './train.js';

interface EvaluateOptions {
  model?: string;
  artifact?: string;
  ratings: string;
  k: string;
  holdout: string;
  threshold: string;
  seed?: string;
  json?: string;
  kernels: KernelPreference;
}

export async function evaluate(o: EvaluateOptions): Promise<void> {
  if ((o.model === undefined) === (o.artifact === undefined))
    throw invalid('give the model to evaluate as --model DIR or --artifact URI (one of them)');
  const uri = (o.model ?? o.artifact) as string;
  const k = integer('--k', o.k, 1, 10_000);
  const m = /^last:(\d+)$/.exec(o.holdout.trim());
  if (!m) throw invalid(`--holdout must be last:N (each user's last N ratings), got '${o.holdout}'`);
  const perUser = integer('--holdout', m[1], 1, 1_000_000);
  const threshold = Number(o.threshold);
  if (o.threshold.trim() === '' || !Number.isFinite(threshold)) throw invalid(`--threshold must be a number, got '${o.threshold}'`);
  const { manifest } = await readArtifact(uri);
  const seed = o.seed === undefined ? (manifest.seed ?? 0) : integer('--seed', o.seed, -(2 ** 31), 2 ** 32);
  const algo = getAlgorithm(manifest.algorithm);
  const config = algo.parseConfig(manifest.hyperparameters);
  const { dataset } = await readRatingsFile(o.ratings);
  const split = lastNHoldout(dataset, perUser);
  if (split.test.size === 0)
    throw invalid(`${o.ratings}: no user has more than ${perUser} ratings, so nothing is held out; lower --holdout`);
  const built = buildTrainset(split.train);
  const test = buildTestset(split.test, built);
  const kernels = loadKernels(o.kernels);
  const t0 = performance.now();
  const model = algo.fit(built.trainset, config, { rng: createRng(seed), kernels });
  const fitSeconds = (performance.now() - t0) / 1000;
  const predictions = predictTestset(model, test);
  const ranking = evaluateRanking(model, built.trainset, test, { k, threshold, kernels, rng: createRng(seed) });
  const out = process.stdout;
  out.write(
    `Held out the last ${perUser} ratings ${split.byTime ? 'by timestamp' : 'in file order (no timestamp column)'} of each user with more than ${perUser}: ` +
      `${split.test.size.toLocaleString('en-US')} ratings; refit ${algo.displayName} (${manifest.algorithm} from ${uri}) on the other ` +
      `${split.train.size.toLocaleString('en-US')} in ${fitSeconds.toFixed(2)} s\n`,
  );
  const rates = predictsRatings(model);
  out.write(
    rates
      ? `RMSE ${rmse(test, predictions).toFixed(4)}, MAE ${mae(test, predictions).toFixed(4)} on the held-out ratings\n`
      : `RMSE and MAE do not apply: ${algo.displayName} scores relevance, not ratings\n`,
  );
  out.write(`${formatRankingTable(ranking, algo.displayName)}\n`);
  if (o.json !== undefined) {
    const report = {
      artifact: uri,
      algorithm: manifest.algorithm,
      hyperparameters: manifest.hyperparameters,
      seed,
      ratings: o.ratings,
      holdout: { lastN: perUser, byTimestamp: split.byTime, heldOut: split.test.size, trainedOn: split.train.size },
      rmse: rates ? rmse(test, predictions) : null,
      mae: rates ? mae(test, predictions) : null,
      fitSeconds,
      ranking,
    };
    await writeFileAtomic(o.json, `${JSON.stringify(report, null, 2)}\n`);
  }
}
