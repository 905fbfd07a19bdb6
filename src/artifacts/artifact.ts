import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  decodeExtension,
  encodeExtension,
  familyName,
  invalid,
  type EncodedExtension,
  type Exclusions,
  type FactorModel,
  type StoredArray,
} from '../core/index.js';
import { describeTrainingData } from './fingerprint.js';
import { bytesToFloat32, bytesToInt32, decodeIds, encodeIds, float32ToBytes, int32ToBytes, sha256Hex } from './encoding.js';
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
  type StoredTopN,
} from './manifest.js';
import { RATED_ITEMS_FILE, RATED_PTR_FILE, ratedOfTrainset, ratedProblem } from './rated.js';
import { resolveArtifactStore, type ArtifactFile, type ArtifactStore } from './store.js';

/** The recpipe version recorded in manifests (package.json sits three levels above dist/src/artifacts/). */
const RECPIPE_VERSION: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

/** A loaded artifact. `rated` is null for artifacts written without a trainset. */
export interface LoadedArtifact {
  readonly model: FactorModel;
  readonly manifest: Manifest;
  /** Which items each user rated in training (CSR by the model's inner ids): what top-N excludes. */
  readonly rated: Exclusions | null;
  /** The training job's top-n lists (absent from artifacts written without them). */
  readonly topN?: StoredTopN;
}

/** The optional file of stored top-n lists (int32le, shape [users, n]). */
const TOP_N_FILE = 'top-n-items.i32';

type Arrays = Pick<FactorModel, 'userIds' | 'itemIds' | 'userBias' | 'itemBias' | 'userFactors' | 'itemFactors'> & {
  readonly ratedPtr: Int32Array;
  readonly ratedItems: Int32Array;
};
type ArrayValue = Arrays[keyof Arrays];

interface Sizes {
  readonly users: number;
  readonly items: number;
  readonly k: number;
  readonly ratings: number;
}

interface Slot {
  readonly key: keyof Arrays;
  readonly name: string;
  readonly dtype: ArtifactDtype;
  readonly shape: (s: Sizes) => number[];
}

/**
 * Format version 1's files, in the order readArtifact destructures them. Biases are stored (zeros)
 * even for unbiased models, so every artifact has one shape.
 */
const MODEL_SLOTS: readonly Slot[] = [
  { key: 'userIds', name: 'user-ids.txt', dtype: 'utf8-lines', shape: (s) => [s.users] },
  { key: 'itemIds', name: 'item-ids.txt', dtype: 'utf8-lines', shape: (s) => [s.items] },
  { key: 'userBias', name: 'user-bias.f32', dtype: 'float32le', shape: (s) => [s.users] },
  { key: 'itemBias', name: 'item-bias.f32', dtype: 'float32le', shape: (s) => [s.items] },
  { key: 'userFactors', name: 'user-factors.f32', dtype: 'float32le', shape: (s) => [s.users, s.k] },
  { key: 'itemFactors', name: 'item-factors.f32', dtype: 'float32le', shape: (s) => [s.items, s.k] },
];

/**
 * Optional files (present when the writer had the trainset): the trainset's CSR, userPtr then
 * itemIdx, so serving can exclude what a user already rated. Optional files keep older artifacts,
 * which lack them, readable under the same format version.
 */
const RATED_SLOTS: readonly Slot[] = [
  { key: 'ratedPtr', name: RATED_PTR_FILE, dtype: 'int32le', shape: (s) => [s.users + 1] },
  { key: 'ratedItems', name: RATED_ITEMS_FILE, dtype: 'int32le', shape: (s) => [s.ratings] },
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
  const td = info.trainingData;
  const trainingData = 'trainset' in td ? describeTrainingData(td.source, td.trainset) : td;
  const rated = 'trainset' in td ? ratedOfTrainset(model, td.trainset) : info.rated ? checkedRated(info.rated, model) : null;
  const arrays: Partial<Arrays> = { ...model, ...(rated ? { ratedPtr: rated.userPtr, ratedItems: rated.itemIdx } : {}) };
  const sizes: Sizes = { users: model.userIds.length, items: model.itemIds.length, k: model.nFactors, ratings: trainingData.ratings };
  const files: ArtifactFile[] = [];
  const entries: ArtifactFileEntry[] = [];
  const add = (name: string, dtype: ArtifactDtype, shape: number[], bytes: Uint8Array) => {
    files.push({ name, bytes });
    entries.push({ name, dtype, shape, bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
  };
  for (const slot of rated ? [...MODEL_SLOTS, ...RATED_SLOTS] : MODEL_SLOTS)
    add(slot.name, slot.dtype, slot.shape(sizes), encodeSlot(slot, arrays[slot.key] as ArrayValue));
  if (info.topN) {
    const problem = topNProblem(info.topN, sizes.users, sizes.items);
    if (problem) throw invalid(`topN cannot be stored: it ${problem}`);
    add(TOP_N_FILE, 'int32le', [sizes.users, info.topN.n], int32ToBytes(info.topN.items));
  }
  const ext = model.extension ? encodeExtension(model.extension) : null;
  if (ext) {
    assertJson(ext.params, 'familyParams');
    for (const [name, a] of ext.arrays)
      add(
        `${EXT_PREFIX}${name}`,
        a instanceof Int32Array ? 'int32le' : 'float32le',
        [a.length],
        a instanceof Int32Array ? int32ToBytes(a) : float32ToBytes(a),
      );
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
    family: familyName(model),
    ...(ext ? { familyParams: ext.params as JsonObject } : {}),
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
 * arrays' shapes against the manifest, and that the rated-items CSR (when listed) is well formed.
 * Anything amiss is refused with an error naming the file.
 */
export async function readArtifact(source: string): Promise<LoadedArtifact> {
  const { store, location } = resolveArtifactStore(source);
  const manifestBytes = await store.read(location, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(manifestBytes).toString('utf8'));
  } catch (e) {
    throw invalid(`artifact ${location}: ${MANIFEST_FILE} is not valid JSON (${(e as Error).message})`, { artifact: location });
  }
  const manifest = checkManifest(raw, `artifact ${location}`);
  // Listing either rated file means both are required: expectedEntry names the one missing.
  const listsRated = RATED_SLOTS.some((slot) => manifest.files.some((f) => f.name === slot.name));
  const slots = listsRated ? [...MODEL_SLOTS, ...RATED_SLOTS] : MODEL_SLOTS;
  const arrays = await Promise.all(slots.map((slot) => readSlot(store, location, manifest, slot)));
  const [userIds, itemIds, userBias, itemBias, userFactors, itemFactors, ratedPtr, ratedItems] = arrays as [
    string[],
    string[],
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Int32Array?,
    Int32Array?,
  ];
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
  const extended = await readExtension(store, location, manifest, model);
  const rated = ratedPtr && ratedItems ? { userPtr: ratedPtr, itemIdx: ratedItems } : null;
  const problem = rated && ratedProblem(rated, userIds.length, itemIds.length);
  if (problem)
    throw invalid(`artifact ${location}: ${problem.file} is corrupt: it ${problem.what}`, { artifact: location, file: problem.file });
  const topN = await readTopN(store, location, manifest);
  return { model: extended, manifest, rated, ...(topN ? { topN } : {}) };
}

async function readTopN(store: ArtifactStore, location: string, manifest: Manifest): Promise<StoredTopN | null> {
  const entry = manifest.files.find((f) => f.name === TOP_N_FILE);
  if (!entry) return null;
  const { users, items } = manifest.counts;
  if (entry.shape.length !== 2 || entry.shape[0] !== users || entry.shape[1] < 1)
    throw invalid(`artifact ${location}: ${TOP_N_FILE} has shape [${entry.shape.join('×')}], expected [${users}×n]`, {
      artifact: location,
      file: TOP_N_FILE,
    });
  const slot: Slot = { key: 'ratedItems', name: TOP_N_FILE, dtype: 'int32le', shape: () => [...entry.shape] };
  const stored = { n: entry.shape[1], items: (await readSlot(store, location, manifest, slot)) as Int32Array };
  const problem = topNProblem(stored, users, items);
  if (problem) throw invalid(`artifact ${location}: ${TOP_N_FILE} is corrupt: it ${problem}`, { artifact: location, file: TOP_N_FILE });
  return stored;
}

/** Serving hands these ids out as list entries: each must be an item of the model, or -1 padding after the last. */
function topNProblem(t: StoredTopN, users: number, items: number): string | null {
  if (!Number.isSafeInteger(t.n) || t.n < 1) return `has n = ${t.n}, not a positive integer`;
  if (t.items.length !== users * t.n) return `holds ${t.items.length} ids, not ${users} users × ${t.n}`;
  for (let x = 0; x < t.items.length; x++) {
    const i = t.items[x];
    const padded = x % t.n > 0 && t.items[x - 1] < 0;
    if (i < -1 || i >= items || (padded && i !== -1)) return `has item index ${i} at user ${Math.floor(x / t.n)}, rank ${x % t.n}`;
  }
  return null;
}

/** Family arrays are stored as `ext.<name>` files, each listed (dtype, shape, size, sha256) in the manifest. */
const EXT_PREFIX = 'ext.';

/** The model with its family extension read, verified and checked against the base (a factor model is returned as it is). */
async function readExtension(store: ArtifactStore, location: string, manifest: Manifest, base: FactorModel): Promise<FactorModel> {
  const family = manifest.family ?? 'factor';
  if (family === 'factor') return base;
  const arrays = new Map<string, StoredArray>();
  for (const entry of manifest.files.filter((f) => f.name.startsWith(EXT_PREFIX))) {
    if (entry.dtype === 'utf8-lines' || entry.shape.length !== 1 || entry.bytes !== entry.shape[0] * 4)
      throw invalid(
        `artifact ${location}: ${entry.name} is listed as ${entry.dtype} [${entry.shape.join('×')}] in ${entry.bytes} bytes, not a flat array`,
        {
          artifact: location,
          file: entry.name,
        },
      );
    const slot: Slot = { key: 'userBias', name: entry.name, dtype: entry.dtype, shape: () => [...entry.shape] };
    arrays.set(entry.name.slice(EXT_PREFIX.length), (await readSlot(store, location, manifest, slot)) as StoredArray);
  }
  const enc: EncodedExtension = { params: manifest.familyParams ?? {}, arrays };
  try {
    return { ...base, extension: decodeExtension(family, enc, base) };
  } catch (e) {
    throw invalid(`artifact ${location}: the ${family} model is inconsistent: ${(e as Error).message}`, { artifact: location });
  }
}

async function readSlot(store: ArtifactStore, location: string, manifest: Manifest, slot: Slot): Promise<ArrayValue> {
  const entry = expectedEntry(manifest, slot, location);
  const hash = createHash('sha256');
  const bytes = await store.read(location, slot.name, (chunk) => hash.update(chunk));
  return decodeSlot(slot, entry, bytes, hash.digest('hex'), location);
}

function encodeSlot(slot: Slot, value: ArrayValue): Uint8Array {
  if (slot.dtype === 'utf8-lines') return encodeIds(value as readonly string[]);
  return slot.dtype === 'int32le' ? int32ToBytes(value as Int32Array) : float32ToBytes(value as Float32Array);
}

/** The manifest's entry for a slot, checked against the shape the counts imply. */
function expectedEntry(m: Manifest, slot: Slot, where: string): ArtifactFileEntry {
  const entry = m.files.find((f) => f.name === slot.name);
  if (!entry) throw invalid(`artifact ${where}: ${MANIFEST_FILE} does not list ${slot.name}`, { artifact: where, file: slot.name });
  const shape = slot.shape({ users: m.counts.users, items: m.counts.items, k: m.nFactors, ratings: m.counts.ratings });
  if (entry.dtype !== slot.dtype || entry.shape.join('×') !== shape.join('×')) {
    throw invalid(
      `artifact ${where}: ${slot.name} is listed as ${entry.dtype} [${entry.shape.join('×')}], expected ${slot.dtype} [${shape.join('×')}] for ${m.counts.users} users, ${m.counts.items} items, ${m.nFactors} factors`,
      { artifact: where, file: slot.name },
    );
  }
  if (slot.dtype !== 'utf8-lines' && entry.bytes !== shape.reduce((a, b) => a * b, 4)) {
    throw invalid(
      `artifact ${where}: ${slot.name} is listed with ${entry.bytes} bytes, but its shape needs ${shape.reduce((a, b) => a * b, 4)}`,
    );
  }
  return entry;
}

function decodeSlot(slot: Slot, entry: ArtifactFileEntry, bytes: Uint8Array, sum: string, where: string): ArrayValue {
  const fail = (what: string) => invalid(`artifact ${where}: ${slot.name} ${what}`, { artifact: where, file: slot.name });
  if (bytes.byteLength !== entry.bytes) {
    throw fail(
      `${bytes.byteLength < entry.bytes ? 'is truncated' : 'is too long'}: ${bytes.byteLength} bytes, the manifest says ${entry.bytes}`,
    );
  }
  if (sum !== entry.sha256) throw fail(`is corrupt: its sha256 is ${sum}, the manifest says ${entry.sha256}`);
  if (slot.dtype === 'float32le') return bytesToFloat32(bytes);
  if (slot.dtype === 'int32le') return bytesToInt32(bytes);
  const ids = decodeIds(bytes, entry.shape[0]);
  if (!ids) throw fail(`does not hold ${entry.shape[0]} ids, one per line`);
  return ids;
}

/** Refuses models whose arrays disagree with their vocabularies or hold NaN/Infinity (a diverged fit). */
function checkModel(m: FactorModel): void {
  if (m.extension) {
    for (const [name, a] of encodeExtension(m.extension).arrays) {
      if (a instanceof Float32Array && !a.every(Number.isFinite))
        throw invalid(`model ${familyName(m)} array ${name} holds a non-finite value; refusing to store it`);
    }
  }
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

function checkedRated(r: Exclusions, model: FactorModel): Exclusions {
  const problem = ratedProblem(r, model.userIds.length, model.itemIds.length);
  if (problem) throw invalid(`rated items cannot be stored as ${problem.file}: the CSR ${problem.what}`);
  return r;
}
