import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** A built console file, kept in memory with its gzip form once asked for (the console is a few hundred KB). */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** build/console of this package (written by `npm run build`), found from this file whether it runs from src/ or dist/. */
export function consoleBuildDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return join(dir, 'build', 'console');
}

/** The console's files by name; empty when the console was not built. */
export function loadAssets(dir = consoleBuildDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (dir === null || !existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    // Compressed when first asked for: level 9 over the bundle cost every server start ~0.1 CPU-s, console or not.
    let gzip: Buffer | undefined;
    assets.set(name, {
      type,
      body,
      get gzip() {
        return (gzip ??= gzipSync(body, { level: 9 }));
      },
    });
  }
  return assets;
}
