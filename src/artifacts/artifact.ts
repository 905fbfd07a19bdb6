import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { invalid, type FactorModel } from '../core/index.js';
import { describeTrainingData } from './fingerprint.js';
import { bytesToFloat32, decodeIds, encodeIds, float32ToBytes, sha256Hex } from './encoding.js';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  MANIFEST_FILE,
  assertJson,
  checkManifest,
  type ArtifactDtype,
  type ArtifactFileEntry,
  type ArtifactInfo,
  type JsonObject,
  type Manifest,
} from './manifest.js';
import { resolveArtifactStore, type ArtifactFile } from './store.js';

/** The recpipe version recorded in manifests (package.json sits three levels above dist/src/artifacts/). */
const RECPIPE_VERSION: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

type Arrays = Pick<FactorModel, 'userIds' | 'itemIds' | 'userBias' | 'itemBias' | 'userFactors' | 'itemFactors'>;

interface Slot {
  readonly key: keyof Arrays;
  readonly name: string;
  readonly dtype: ArtifactDtype;
  readonly shape: (users: number, items: number, k: number) => number[];
}

/**
 * Format version 1's files, in the order readArtifact destructures them. Biases are stored (zeros)
 * even for unbiased models, so every artifact has one shape.
 */
const SLOTS: readonly Slot[] = [
  { key: 'userIds', name: 'user-ids.txt', dtype: 'utf8-lines', shape: (u) => [u] },
  { key: 'itemIds', name: 'item-ids.txt', dtype: 'utf8-lines', shape: (_, i) => [i] },
  { key: 'userBias', name: 'user-bias.f32', dtype: 'float32le', shape: (u) => [u] },
  { key: 'itemBias', name: 'item-bias.f32', dtype: 'float32le', shape: (_, i) => [i] },
  { key: 'userFactors', name: 'user-factors.f32', dtype: 'float32le', shape: (u, _, k) => [u, k] },
  { key: 'itemFactors', name: 'item-factors.f32', dtype: 'float32le', shape: (_, i, k) => [i, k] },
];

/**
 * Writes `model` as a new artifact at `target` (a directory path or `file://` URI) and returns its
 * manifest plus the artifact's absolute URI (not stored in it: an artifact may be moved). Refuses
 * (CONFLICT) when an artifact is already there: artifacts are immutable.
 */
export async function writeArtifact(target: string, model: FactorModel, info: ArtifactInfo): Promise<Manifest & { readonly uri: string }> {
  const { store, location } = resolveArtifactStore(target);
  checkModel(model);
  assertJson(info.hyperparameters, 'hyperparameters');
  if (info.metrics !== undefined) assertJson(info.metrics, 'metrics');
  if (info.seed !== undefined && !Number.isSafeInteger(info.seed)) throw invalid(`seed must be an integer, got ${info.seed}`);
  if (Number.isNaN(Date.parse(info.createdAt))) throw invalid(`createdAt ${JSON.stringify(info.createdAt)} is not an ISO-8601 time`);
  const trainingData = 'trainset' in info.trainingData ? describeTrainingData(info.trainingData.source, info.trainingData.trainset) : info.trainingData;
  const files: ArtifactFile[] = [];
  const entries: ArtifactFileEntry[] = [];
  for (const slot of SLOTS) {
    const value = model[slot.key];
    const bytes = slot.dtype === 'utf8-lines' ? encodeIds(value as readonly string[]) : float32ToBytes(value as Float32Array);
    const shape = slot.shape(model.userIds.length, model.itemIds.length, model.nFactors);
    files.push({ name: slot.name, bytes });
    entries.push({ name: slot.name, dtype: slot.dtype, shape, bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
  }
  const manifest: Manifest = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    recpipeVersion: RECPIPE_VERSION,
    createdAt: info.createdAt,
    algorithm: model.algorithm,
    hyperparameters: info.hyperparameters as JsonObject,
    scale: { min: model.scale.min, max: model.scale.max },
    biased: model.biased,
    globalMean: model.globalMean,
    nFactors: model.nFactors,
    counts: { users: model.userIds.length, items: model.itemIds.length, ratings: trainingData.ratings },
    ...(info.metrics === undefined ? {} : { metrics: info.metrics as JsonObject }),
    ...(info.seed === undefined ? {} : { seed: info.seed }),
    trainingData: { source: trainingData.source, ratings: trainingData.ratings, fingerprint: trainingData.fingerprint },
    files: entries,
  };
  files.push({ name: MANIFEST_FILE, bytes: Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8') });
  await store.create(location, files);
  return { ...manifest, uri: store.uri(location) };
}

/**
 * Loads the artifact at `source`, verifying format, version, every file's size and sha256 and the
 * arrays' shapes against the manifest. Anything amiss is refused with an error naming the file.
 */
export async function readArtifact(source: string): Promise<{ model: FactorModel; manifest: Manifest }> {
  const { store, location } = resolveArtifactStore(source);
  const manifestBytes = await store.read(location, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(manifestBytes).toString('utf8'));
  } catch (e) {
    throw invalid(`artifact ${location}: ${MANIFEST_FILE} is not valid JSON (${(e as Error).message})`, { artifact: location });
  }
  const manifest = checkManifest(raw, `artifact ${location}`);
  const arrays = await Promise.all(
    SLOTS.map(async (slot) => {
      const entry = expectedEntry(manifest, slot, location);
      const hash = createHash('sha256');
      const bytes = await store.read(location, slot.name, (chunk) => hash.update(chunk));
      return decodeSlot(slot, entry, bytes, hash.digest('hex'), location);
    }),
  );
  const [userIds, itemIds, userBias, itemBias, userFactors, itemFactors] = arrays as [string[], string[], ...Float32Array[]];
  const model: FactorModel = {
    algorithm: manifest.algorithm,
    biased: manifest.biased,
    globalMean: manifest.globalMean,
    nFactors: manifest.nFactors,
    scale: { min: manifest.scale.min, max: manifest.scale.max },
    userIds,
    itemIds,
    userBias,
    itemBias,
    userFactors,
    itemFactors,
  };
  return { model, manifest };
}

/** The manifest's entry for a slot, checked against the shape the counts imply. */
function expectedEntry(m: Manifest, slot: Slot, where: string): ArtifactFileEntry {
  const entry = m.files.find((f) => f.name === slot.name);
  if (!entry) throw invalid(`artifact ${where}: ${MANIFEST_FILE} does not list ${slot.name}`, { artifact: where, file: slot.name });
  const shape = slot.shape(m.counts.users, m.counts.items, m.nFactors);
  if (entry.dtype !== slot.dtype || entry.shape.join('×') !== shape.join('×')) {
    throw invalid(
      `artifact ${where}: ${slot.name} is listed as ${entry.dtype} [${entry.shape.join('×')}], expected ${slot.dtype} [${shape.join('×')}] for ${m.counts.users} users, ${m.counts.items} items, ${m.nFactors} factors`,
      { artifact: where, file: slot.name },
    );
  }
  if (slot.dtype === 'float32le' && entry.bytes !== shape.reduce((a, b) => a * b, 4)) {
    throw invalid(`artifact ${where}: ${slot.name} is listed with ${entry.bytes} bytes, but its shape needs ${shape.reduce((a, b) => a * b, 4)}`);
  }
  return entry;
}

function decodeSlot(slot: Slot, entry: ArtifactFileEntry, bytes: Uint8Array, sum: string, where: string): Float32Array | string[] {
  const fail = (what: string) => invalid(`artifact ${where}: ${slot.name} ${what}`, { artifact: where, file: slot.name });
  if (bytes.byteLength !== entry.bytes) {
    throw fail(`${bytes.byteLength < entry.bytes ? 'is truncated' : 'is too long'}: ${bytes.byteLength} bytes, the manifest says ${entry.bytes}`);
  }
  if (sum !== entry.sha256) throw fail(`is corrupt: its sha256 is ${sum}, the manifest says ${entry.sha256}`);
  if (slot.dtype === 'float32le') return bytesToFloat32(bytes);
  const ids = decodeIds(bytes, entry.shape[0]);
  if (!ids) throw fail(`does not hold ${entry.shape[0]} ids, one per line`);
  return ids;
}

/** Refuses models whose arrays disagree with their vocabularies or hold NaN/Infinity (a diverged fit). */
function checkModel(m: FactorModel): void {
  const u = m.userIds.length;
  const i = m.itemIds.length;
  const k = m.nFactors;
  if (!Number.isSafeInteger(k) || k < 0) throw invalid(`model nFactors must be a non-negative integer, got ${k}`);
  if (!Number.isFinite(m.globalMean)) throw invalid(`model globalMean is ${m.globalMean}`);
  if (!(Number.isFinite(m.scale.min) && Number.isFinite(m.scale.max) && m.scale.min <= m.scale.max)) {
    throw invalid(`model rating scale ${m.scale.min}–${m.scale.max} is not a finite range`);
  }
  const want: [keyof Arrays, Float32Array, number][] = [
    ['userBias', m.userBias, u],
    ['itemBias', m.itemBias, i],
    ['userFactors', m.userFactors, u * k],
    ['itemFactors', m.itemFactors, i * k],
  ];
  for (const [name, a, n] of want) {
    if (a.length !== n) throw invalid(`model ${name} has ${a.length} values, expected ${n} (${u} users, ${i} items, ${k} factors)`);
    for (let x = 0; x < a.length; x++) {
      if (!Number.isFinite(a[x])) throw invalid(`model ${name}[${x}] is ${a[x]}: the fit diverged; refusing to store it`);
    }
  }
}
