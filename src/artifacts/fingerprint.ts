import { createHash, type Hash } from 'node:crypto';
import type { Trainset } from '../core/index.js';
import { encodeIds, float32ToBytes, int32ToBytes } from './encoding.js';

/** What an artifact records about the data it was trained on. */
export interface TrainingDataInfo {
  /** Where the ratings came from, for people: a table name, a file path, a URI. */
  readonly source: string;
  readonly ratings: number;
  /** `sha256:<hex>` from fingerprintTrainset: equal fingerprints mean the same ratings in the same order. */
  readonly fingerprint: string;
}

/**
 * sha256 over everything that determines a fit: the id vocabularies, the CSR arrays (so the rating
 * order SGD visits is covered) and the rating scale. Every part is length-prefixed so that no two
 * different trainsets hash the same byte stream.
 */
export function fingerprintTrainset(ts: Trainset): string {
  const h = createHash('sha256').update('recpipe-trainset-v1\n');
  part(h, encodeIds(ts.userIds));
  part(h, encodeIds(ts.itemIds));
  part(h, int32ToBytes(ts.userPtr));
  part(h, int32ToBytes(ts.itemIdx));
  part(h, float32ToBytes(ts.ratings));
  part(h, new TextEncoder().encode(`${ts.scale.min},${ts.scale.max}`));
  return `sha256:${h.digest('hex')}`;
}

function part(h: Hash, bytes: Uint8Array): void {
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(bytes.byteLength), true);
  h.update(len).update(bytes);
}

/** The TrainingDataInfo of a trainset, named by `source`. */
export const describeTrainingData = (source: string, ts: Trainset): TrainingDataInfo => ({
  source,
  ratings: ts.nRatings,
  fingerprint: fingerprintTrainset(ts),
});
