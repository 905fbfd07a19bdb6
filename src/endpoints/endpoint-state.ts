import type { Manifest } from '../artifacts/index.js';
import { RecpipeError, type RatingScale } from '../core/index.js';

/** SageMaker's endpoint statuses (the subset a single-process server goes through). */
export type EndpointStatus = 'Creating' | 'InService' | 'Updating' | 'Failed' | 'Deleting';

export const ENDPOINT_STATUSES: readonly EndpointStatus[] = ['Creating', 'InService', 'Updating', 'Failed', 'Deleting'];

/** What the served model is, from its manifest (without reading the arrays). */
export interface ModelSummary {
  readonly algorithm: string;
  readonly nFactors: number;
  readonly biased: boolean;
  readonly scale: RatingScale;
  readonly users: number;
  readonly items: number;
  readonly ratings: number;
  /** When the model was trained. */
  readonly trainedAt: string;
  readonly trainingSource: string;
  readonly trainingFingerprint: string;
}

/** An endpoint as describe/list report it, and as `<home>/endpoints/<name>.json` stores it. */
export interface EndpointDescription {
  readonly name: string;
  readonly status: EndpointStatus;
  /** The artifact served (InService), or being loaded (Creating, Failed create). Canonical URI. */
  readonly artifactUri: string;
  /** While Updating: the artifact being loaded to replace `artifactUri`. */
  readonly pendingArtifactUri?: string;
  /** Why the create failed (status Failed), or why the last update did not take (status InService: rolled back). */
  readonly failureReason?: string;
  readonly createdAt: string;
  readonly lastModifiedAt: string;
  /** The served model; absent until the first load succeeds. */
  readonly model?: ModelSummary;
}

export function summarizeManifest(m: Manifest): ModelSummary {
  return {
    algorithm: m.algorithm,
    nFactors: m.nFactors,
    biased: m.biased,
    scale: { min: m.scale.min, max: m.scale.max },
    users: m.counts.users,
    items: m.counts.items,
    ratings: m.counts.ratings,
    trainedAt: m.createdAt,
    trainingSource: m.trainingData.source,
    trainingFingerprint: m.trainingData.fingerprint,
  };
}

/**
 * Checks a stored description field by field, so a hand-edited or truncated file is reported by name
 * rather than half-loaded. `where` names the file.
 */
export function parseStoredDescription(raw: unknown, where: string): EndpointDescription {
  const bad = (what: string) => new RecpipeError('FAILED_PRECONDITION', `${where}: ${what}`, { file: where });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('is not a JSON object');
  const d = raw as Record<string, unknown>;
  for (const f of ['name', 'artifactUri', 'createdAt', 'lastModifiedAt'] as const) {
    if (typeof d[f] !== 'string') throw bad(`${f} must be a string, got ${JSON.stringify(d[f])}`);
  }
  if (!ENDPOINT_STATUSES.includes(d.status as EndpointStatus))
    throw bad(`status must be one of ${ENDPOINT_STATUSES.join(', ')}, got ${JSON.stringify(d.status)}`);
  for (const f of ['pendingArtifactUri', 'failureReason'] as const) {
    if (d[f] !== undefined && typeof d[f] !== 'string') throw bad(`${f} must be a string when present, got ${JSON.stringify(d[f])}`);
  }
  if (d.model !== undefined && (typeof d.model !== 'object' || d.model === null)) throw bad(`model must be an object when present`);
  return d as unknown as EndpointDescription;
}
