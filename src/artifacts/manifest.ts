import { RecpipeError, familyNames, invalid, type Exclusions, type RatingScale, type Trainset } from '../core/index.js';
import type { TrainingDataInfo } from './fingerprint.js';

export const ARTIFACT_FORMAT = 'recpipe-model';
export const ARTIFACT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

export type ArtifactDtype = 'float32le' | 'int32le' | 'utf8-lines';
const DTYPES: readonly ArtifactDtype[] = ['float32le', 'int32le', 'utf8-lines'];

export interface ArtifactFileEntry {
  readonly name: string;
  readonly dtype: ArtifactDtype;
  readonly shape: readonly number[];
  readonly bytes: number;
  readonly sha256: string;
}

/** manifest.json: everything needed to load, check and explain a model without reading the arrays. */
export interface Manifest {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly formatVersion: typeof ARTIFACT_FORMAT_VERSION;
  readonly recpipeVersion: string;
  readonly createdAt: string;
  readonly algorithm: string;
  readonly hyperparameters: JsonObject;
  readonly scale: RatingScale;
  readonly biased: boolean;
  readonly globalMean: number;
  readonly nFactors: number;
  /**
   * The model family: absent or "factor" for biases and factors alone (every artifact written before
   * families existed); otherwise the family whose `ext.*` files and `familyParams` extend the base.
   */
  readonly family?: string;
  readonly familyParams?: JsonObject;
  readonly counts: { readonly users: number; readonly items: number; readonly ratings: number };
  readonly metrics?: JsonObject;
  readonly seed?: number;
  readonly trainingData: TrainingDataInfo;
  readonly files: readonly ArtifactFileEntry[];
}

/** What the trainer knows about a model beyond the model itself. */
export interface ArtifactInfo {
  /** The parsed algorithm config (JSON-serialisable). */
  readonly hyperparameters: object;
  /** Evaluation figures, e.g. cross-validation means and per-fold values. */
  readonly metrics?: object;
  /** The random seed of the fit, for reproducing it. */
  readonly seed?: number;
  /**
   * The training data: its trainset (the writer fingerprints it), or an already computed
   * TrainingDataInfo (e.g. copied from another artifact's manifest).
   */
  readonly trainingData: { readonly source: string; readonly trainset: Trainset } | TrainingDataInfo;
  /**
   * With the TrainingDataInfo form: which items each user rated (the trainset's CSR by the model's
   * inner ids), for writers that hold the summary and the CSR but not the whole trainset.
   */
  readonly rated?: Exclusions;
  /**
   * Every user's top-n unrated items as the training job ranked them (users × n inner item ids, best
   * first, -1 padded), stored so serving answers recommend(user, k ≤ n) without ranking again.
   */
  readonly topN?: StoredTopN;
  /** ISO-8601 time of training, supplied by the caller (core never reads a clock). */
  readonly createdAt: string;
}

/** Top-n lists for every user of a model: users × n inner item ids, best first, -1 padded. */
export interface StoredTopN {
  readonly n: number;
  readonly items: Int32Array;
}

/** Throws INVALID_ARGUMENT naming `path` unless `value` is plain JSON (finite numbers, plain objects). */
export function assertJson(value: unknown, path: string): asserts value is JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`${path}: ${value} cannot be stored in JSON`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertJson(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    // An undefined property is simply left out by JSON.stringify, as an unset option should be.
    for (const [k, v] of Object.entries(value)) if (v !== undefined) assertJson(v, `${path}.${k}`);
    return;
  }
  throw invalid(`${path}: a ${typeof value} cannot be stored in JSON`);
}

/**
 * Checks a parsed manifest.json field by field. The version is checked first so that a newer
 * format is reported as such rather than as a list of odd fields.
 */
export function checkManifest(raw: unknown, where: string): Manifest {
  const bad = (what: string) => invalid(`${where}: ${what}`, { artifact: where });
  if (!isObject(raw)) throw bad(`${MANIFEST_FILE} is not a JSON object`);
  if (raw.format !== ARTIFACT_FORMAT) {
    throw bad(`${MANIFEST_FILE}: format is ${JSON.stringify(raw.format)}, expected "${ARTIFACT_FORMAT}" (not a recpipe model artifact)`);
  }
  if (raw.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `${where}: artifact format version ${JSON.stringify(raw.formatVersion)} is not supported; this recpipe reads version ${ARTIFACT_FORMAT_VERSION}`,
      { artifact: where, formatVersion: raw.formatVersion },
    );
  }
  const field = <T>(name: string, ok: (v: unknown) => v is T, expected: string, obj: Record<string, unknown> = raw, prefix = ''): T => {
    const v = obj[name];
    if (!ok(v)) throw bad(`${MANIFEST_FILE}: ${prefix}${name} must be ${expected}, got ${JSON.stringify(v)}`);
    return v;
  };
  const scale = field('scale', isObject, 'an object');
  const counts = field('counts', isObject, 'an object');
  const trainingData = field('trainingData', isObject, 'an object');
  const files = field('files', Array.isArray, 'an array');
  if (raw.metrics !== undefined) field('metrics', isObject, 'an object');
  if (raw.seed !== undefined) field('seed', (v): v is number => Number.isSafeInteger(v), 'an integer');
  field('recpipeVersion', isString, 'a string');
  field('createdAt', isString, 'a string');
  field('algorithm', isString, 'a string');
  field('hyperparameters', isObject, 'an object');
  field('biased', isBoolean, 'a boolean');
  field('globalMean', isFiniteNumber, 'a finite number');
  field('nFactors', isCount, 'a non-negative integer');
  if (raw.family !== undefined) {
    const known = familyNames();
    field('family', (v): v is string => isString(v) && known.includes(v), `one of ${known.map((f) => `"${f}"`).join(', ')}`);
  }
  if (raw.familyParams !== undefined) field('familyParams', isObject, 'an object');
  field('min', isFiniteNumber, 'a finite number', scale, 'scale.');
  field('max', isFiniteNumber, 'a finite number', scale, 'scale.');
  for (const c of ['users', 'items', 'ratings']) field(c, isCount, 'a non-negative integer', counts, 'counts.');
  field('source', isString, 'a string', trainingData, 'trainingData.');
  field('ratings', isCount, 'a non-negative integer', trainingData, 'trainingData.');
  field('fingerprint', isString, 'a string', trainingData, 'trainingData.');
  files.forEach((f: unknown, i: number) => {
    const at = `files[${i}].`;
    if (!isObject(f)) throw bad(`${MANIFEST_FILE}: files[${i}] must be an object`);
    field('name', isString, 'a string', f, at);
    field(
      'dtype',
      (v): v is ArtifactDtype => DTYPES.includes(v as ArtifactDtype),
      `one of ${DTYPES.map((d) => `"${d}"`).join(', ')}`,
      f,
      at,
    );
    field('shape', (v): v is number[] => Array.isArray(v) && v.every(isCount), 'an array of non-negative integers', f, at);
    field('bytes', isCount, 'a non-negative integer', f, at);
    field('sha256', (v): v is string => isString(v) && /^[0-9a-f]{64}$/.test(v), '64 lowercase hex digits', f, at);
  });
  return raw as unknown as Manifest;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
