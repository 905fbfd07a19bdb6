/**
 * Model artifacts: the one contract between training and serving. An artifact is a directory:
 *
 *   manifest.json      format "recpipe-model", formatVersion 1, algorithm, hyperparameters, scale,
 *                      biased, globalMean, nFactors, counts, metrics, seed, trainingData
 *                      (source, ratings, sha256 fingerprint), createdAt, recpipeVersion, and per file
 *                      its name, dtype, shape, byte length and sha256.
 *   user-ids.txt       user ids in inner order, one per line (UTF-8; `\n` and `\\` escaped)
 *   item-ids.txt       item ids likewise
 *   user-bias.f32      float32 little-endian [users]      item-bias.f32     [items]
 *   user-factors.f32   float32 little-endian [users × k]  item-factors.f32  [items × k], row-major
 *   rated-ptr.i32      int32 little-endian [users + 1], and rated-items.i32 [ratings]: which items
 *                      each user rated in training (the trainset's CSR, by the model's inner ids), so
 *                      serving's top-N can leave them out. Optional: written when the writer is given
 *                      the trainset; readArtifact returns them as `rated`, or null when absent.
 *
 * Written once (temp directory + rename), never overwritten; every read verifies sizes and checksums.
 * Stores are chosen by URI scheme (`file://` or a plain path).
 */
export { writeArtifact, readArtifact, type LoadedArtifact } from './artifact.js';
export { fingerprintTrainset, describeTrainingData, type TrainingDataInfo } from './fingerprint.js';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  MANIFEST_FILE,
  type ArtifactInfo,
  type StoredTopN,
  type ArtifactFileEntry,
  type ArtifactDtype,
  type Manifest,
  type JsonObject,
  type JsonValue,
} from './manifest.js';
export { resolveArtifactStore, type ArtifactStore, type ArtifactFile, type ResolvedArtifact } from './store.js';
