import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RecpipeError, invalid, notFound } from '../core/index.js';
import type { ArtifactFile, ArtifactStore } from './store.js';
import { pathExists } from '../util/path-exists.js';

/**
 * Artifacts as directories. A write fills a temporary sibling directory, syncs every file, then
 * renames it into place, so readers see either no artifact or a complete one.
 */
export const fileStore: ArtifactStore & { locate(uri: string): string } = {
  scheme: 'file',

  /** `file:///abs/dir` or a plain path → an absolute path. */
  locate(uri: string): string {
    if (!/^file:/i.test(uri)) return resolve(uri);
    try {
      return fileURLToPath(uri);
    } catch (e) {
      throw invalid(`bad file URI ${JSON.stringify(uri)}: ${(e as Error).message}`, { uri });
    }
  },

  uri: (dir: string): string => pathToFileURL(dir).href,

  async create(dir: string, files: readonly ArtifactFile[]): Promise<void> {
    if (await pathExists(dir)) throw conflict(dir);
    await mkdir(dirname(dir), { recursive: true });
    const tmp = await mkdtemp(join(dirname(dir), `.${basename(dir)}.tmp-`));
    try {
      await Promise.all(files.map((f) => writeSynced(join(tmp, f.name), f.bytes)));
      await rename(tmp, dir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      // rename() onto a non-empty directory: another writer finished first.
      if (isErrno(e, 'ENOTEMPTY') || isErrno(e, 'EEXIST')) throw conflict(dir);
      throw e;
    }
  },

  async read(dir: string, name: string, onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array> {
    try {
      return await readChunked(join(dir, name), onChunk);
    } catch (e) {
      if (isErrno(e, 'ENOTDIR')) throw notFound(`no artifact at ${dir}: not a directory`, { artifact: dir });
      if (!isErrno(e, 'ENOENT')) throw e;
      if (!(await pathExists(dir))) throw notFound(`no artifact at ${dir}: the directory does not exist`, { artifact: dir });
      throw notFound(`artifact ${dir}: ${name} is missing`, { artifact: dir, file: name });
    }
  },
};

const CHUNK = 256 * 1024;

/**
 * Reads into one fresh buffer of the file's size (so float arrays can view it without a copy), in
 * 256 KB reads with the next one always in flight while `onChunk` sees the last: hashing a chunk
 * the kernel has just written, while it is still in cache, overlaps the I/O and measured ~40%
 * faster than reading the whole file, then hashing it.
 */
async function readChunked(path: string, onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const bytes = new Uint8Array(size);
    let at = 0;
    let next = size > 0 ? fh.read(bytes, 0, Math.min(CHUNK, size), 0) : null;
    while (next) {
      const { bytesRead } = await next;
      const from = at;
      at += bytesRead;
      // A file that shrank while being read ends early; the caller's size check reports it.
      next = bytesRead > 0 && at < size ? fh.read(bytes, at, Math.min(CHUNK, size - at), at) : null;
      if (bytesRead > 0) onChunk?.(bytes.subarray(from, at));
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    await fh.close();
  }
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

const isErrno = (e: unknown, code: string): boolean => (e as NodeJS.ErrnoException | null)?.code === code;

const conflict = (dir: string): RecpipeError =>
  new RecpipeError('CONFLICT', `an artifact already exists at ${dir}; artifacts are immutable, write the new model to another path`, {
    artifact: dir,
  });
