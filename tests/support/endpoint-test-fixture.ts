import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Predictor } from '../../src/core/index.js';
import { writeTinyArtifact } from './tiny-model-fixture.js';

export interface FixtureArtifact {
  readonly uri: string;
  readonly predictor: Predictor;
}

export interface EndpointFixture {
  readonly root: string;
  /** Two different tiny SVD fits (seeds 7 and 8): an endpoint's first model and its update. */
  readonly v1: FixtureArtifact;
  readonly v2: FixtureArtifact;
  /** A copy of v2 whose user-factors.f32 was altered after writing: its checksum no longer matches. */
  readonly corruptUri: string;
  /** A fresh empty home directory under root. */
  home(): string;
  cleanup(): void;
}

/** Real artifacts in a temp directory for endpoint tests. */
export async function endpointFixture(): Promise<EndpointFixture> {
  const root = mkdtempSync(join(tmpdir(), 'recpipe-'));
  const write = async (name: string, seed: number): Promise<FixtureArtifact> => {
    const { model, manifest } = await writeTinyArtifact(join(root, name), seed);
    return { uri: manifest.uri, predictor: new Predictor(model) };
  };
  const v1 = await write('model-v1', 7);
  const v2 = await write('model-v2', 8);
  const corrupt = await write('model-corrupt', 8);
  const factors = join(root, 'model-corrupt', 'user-factors.f32');
  const bytes = readFileSync(factors);
  bytes[0] ^= 0xff;
  writeFileSync(factors, bytes);
  let homes = 0;
  return {
    root,
    v1,
    v2,
    corruptUri: corrupt.uri,
    home: () => join(root, `home-${homes++}`),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
