import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { writeFileAtomic } from '../util/atomic-file.js';

/** GroupLens's ml-latest-small, as the guide downloads it. */
export const MOVIELENS_SMALL = {
  url: 'https://files.grouplens.org/datasets/movielens/ml-latest-small.zip',
  folder: 'ml-latest-small',
  /** Published sha256 of the files we use (see GroupLens mirrors; the CRLF originals). */
  sha256: {
    'ratings.csv': 'aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646',
    'movies.csv': '5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07',
  } as Readonly<Record<string, string>>,
} as const;

export interface DownloadOptions {
  readonly url?: string;
  readonly sha256?: Readonly<Record<string, string>>;
  /** Called with bytes received and the total (0 when the server does not say). */
  readonly onProgress?: (received: number, total: number) => void;
  readonly timeoutMs?: number;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** True when `dir` holds every file of the dataset with its published checksum. */
export async function verifyMovieLens(dir: string, expected: Readonly<Record<string, string>> = MOVIELENS_SMALL.sha256): Promise<boolean> {
  for (const [name, hash] of Object.entries(expected)) {
    const path = join(dir, name);
    if (!existsSync(path) || sha256(await readFile(path)) !== hash) return false;
  }
  return true;
}

/**
 * Downloads the MovieLens zip, checks every needed file against its published sha256, and writes
 * them atomically into `dir`. Throws with the reason (no network, HTTP status, checksum mismatch).
 */
export async function downloadMovieLens(dir: string, opts: DownloadOptions = {}): Promise<void> {
  const url = opts.url ?? MOVIELENS_SMALL.url;
  const expected = opts.sha256 ?? MOVIELENS_SMALL.sha256;
  const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
  if (!res.ok || !res.body) throw new Error(`GET ${url} answered ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    received += chunk.byteLength;
    opts.onProgress?.(received, total);
  }
  const zip = Buffer.concat(chunks);
  const wanted = new Set(Object.keys(expected));
  const files = unzipSync(zip, { filter: (f) => wanted.has(f.name.split('/').pop() ?? '') });
  const byName = new Map(Object.entries(files).map(([path, data]) => [path.split('/').pop() ?? path, data]));
  for (const [name, hash] of Object.entries(expected)) {
    const data = byName.get(name);
    if (!data) throw new Error(`${url}: the archive has no ${name}`);
    const got = sha256(data);
    if (got !== hash) throw new Error(`${url}: ${name} has sha256 ${got}, expected ${hash}`);
  }
  for (const [name, data] of byName) await writeFileAtomic(join(dir, name), data);
}
