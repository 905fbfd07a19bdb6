import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from this file whether it runs from src/ or dist/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/**
 * The MovieLens data beside the repository (`../shared/data`, or $RECPIPE_SHARED_DATA). Tests that
 * need it pass `{ skip: sharedDataSkip }`, which explains itself where the data is absent.
 */
export const sharedDataDir: string = resolve(process.env.RECPIPE_SHARED_DATA ?? join(repoRoot(), '..', 'shared', 'data'));
export const hasSharedData: boolean = existsSync(join(sharedDataDir, 'ml-latest-small', 'ratings.csv'));
const missing = `MovieLens data not found at ${sharedDataDir} (set RECPIPE_SHARED_DATA to a folder holding ml-latest-small/ and folds/)`;

/**
 * CI sets RECPIPE_REQUIRE_SHARED_DATA=1 (`.ci/run`): there a missing data set fails every file that
 * needs it instead of skipping, so the accuracy checks can never be dropped silently.
 */
export const sharedDataRequired: boolean = /^(1|true|yes)$/i.test(process.env.RECPIPE_REQUIRE_SHARED_DATA ?? '');
if (sharedDataRequired && !hasSharedData) throw new Error(`RECPIPE_REQUIRE_SHARED_DATA is set: ${missing}`);

export const sharedDataSkip: string | false = hasSharedData ? false : missing;

export const mlSmall = (file: string): string => join(sharedDataDir, 'ml-latest-small', file);
export const mlSmallFolds = (): string => join(sharedDataDir, 'folds', 'ml-latest-small');
