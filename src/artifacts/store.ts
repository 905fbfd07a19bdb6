import { invalid } from '../core/index.js';
import { fileStore } from './file-store.js';

export interface ArtifactFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Where artifacts live, chosen by URI scheme. A store moves bytes only; the format (manifest,
 * checksums, encodings) is the same for every store.
 */
export interface ArtifactStore {
  /** The URI scheme this store serves, e.g. `file`. */
  readonly scheme: string;
  /** Stores `files` as a new artifact at `location`, all or nothing; CONFLICT when one is already there. */
  create(location: string, files: readonly ArtifactFile[]): Promise<void>;
  /** The canonical URI of `location` (for `file`, `file:///abs/dir`). */
  uri(location: string): string;
  /**
   * One file of the artifact at `location`; NOT_FOUND naming the artifact and file when absent.
   * `onChunk`, when given, sees the bytes in order as they arrive (to checksum while reading).
   */
  read(location: string, name: string, onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array>;
}

export interface ResolvedArtifact {
  readonly store: ArtifactStore;
  /** The store's own address for the artifact (for `file`, an absolute directory path). */
  readonly location: string;
}

const stores: readonly ArtifactStore[] = [fileStore];
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** Resolves `file:///…`, or a plain path (taken as a file path), to its store. */
export function resolveArtifactStore(uri: string): ResolvedArtifact {
  if (uri === '') throw invalid('artifact location is empty');
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase() ?? 'file';
  const store = stores.find((s) => s.scheme === scheme);
  if (!store) {
    const known = stores.map((s) => `${s.scheme}://`).join(', ');
    throw invalid(`no artifact store for scheme '${scheme}://' in ${JSON.stringify(uri)}; known schemes: ${known} (or a plain path)`, {
      uri,
    });
  }
  return { store, location: store.scheme === 'file' ? fileStore.locate(uri) : uri };
}
