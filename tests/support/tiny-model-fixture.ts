import { buildTrainset, createRng, ratingsFromRows, referenceKernels, svd, type FactorModel, type Trainset } from '../../src/core/index.js';
import { writeArtifact } from '../../src/artifacts/artifact.js';
import type { Manifest } from '../../src/artifacts/manifest.js';

/**
 * A small SVD fit for tests of artifacts, serving and the CLI: 20 users × 30 items of synthetic
 * ratings (a rank-2 taste structure plus noise, on the 0.5–5 scale), 4 factors, 10 epochs. Ids mix
 * numbers and strings ("alice", "The Matrix") so id handling is exercised. Deterministic.
 */
export function tinyTrainset(seed = 7): Trainset {
  const rng = createRng(seed);
  const rows: [string, string, number][] = [];
  for (let u = 0; u < 20; u++) {
    for (let i = 0; i < 30; i++) {
      if (rng.next() < 0.4) continue;
      const taste = Math.sin(u + 1) * Math.cos(i + 1) + 0.5 * Math.cos(u * 0.7) * Math.sin(i * 1.3);
      const r = Math.min(5, Math.max(0.5, Math.round((3 + 1.6 * taste + 0.4 * rng.normal()) * 2) / 2));
      rows.push([userName(u), itemName(i), r]);
    }
  }
  return buildTrainset(ratingsFromRows(rows, {}, 'tiny-model-fixture').dataset).trainset;
}

const userName = (u: number): string => (u === 19 ? 'alice' : String(u + 1));
const itemName = (i: number): string => (i === 29 ? '"The Matrix"' : String(100 + i));

export const TINY_CONFIG = svd.parseConfig({ n_factors: 4, n_epochs: 10 });

export function tinyModel(seed = 7): FactorModel {
  return fitTiny(tinyTrainset(seed), seed);
}

const fitTiny = (ts: Trainset, seed: number): FactorModel => svd.fit(ts, TINY_CONFIG, { rng: createRng(seed), kernels: referenceKernels });

/** Fits the tiny model and writes it to `dir`. */
export async function writeTinyArtifact(
  dir: string,
  seed = 7,
): Promise<{ model: FactorModel; manifest: Manifest & { readonly uri: string } }> {
  const ts = tinyTrainset(seed);
  const model = fitTiny(ts, seed);
  const manifest = await writeArtifact(dir, model, {
    hyperparameters: TINY_CONFIG,
    metrics: { rmse: 0.9 },
    seed,
    trainingData: { source: 'tiny-model-fixture', trainset: ts },
    createdAt: '2024-01-02T03:04:05.000Z',
  });
  return { model, manifest };
}
