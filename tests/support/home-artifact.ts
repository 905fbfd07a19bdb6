import { cpSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Copies an artifact directory into `<home>/artifacts/` and returns its URI there: deploy_model and
 * /ext/deploy accept only artifacts of the home's store (or job names, or stage paths).
 */
export function inHomeStore(home: string, artifactUri: string): string {
  const target = join(home, 'artifacts', basename(fileURLToPath(artifactUri)));
  cpSync(fileURLToPath(artifactUri), target, { recursive: true });
  return pathToFileURL(target).href;
}
