import { randomBytes } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isRecpipeError, RecpipeError } from '../../core/errors.js';
import type { CsvFileOutcome, CsvLoadRequest } from '../warehouse.js';

/**
 * A locked-down DuckDB reads only inside the home, so recpipe's own loads (COPY INTO, whose sources
 * recpipe has already resolved and checked) first place each file in a private staging directory —
 * a hard link, or a copy across file systems — and remove it afterwards. Outcomes and errors name the
 * original files.
 */
export async function stagedLoad(
  stagingDir: string,
  req: CsvLoadRequest,
  load: (req: CsvLoadRequest) => Promise<CsvFileOutcome[]>,
): Promise<CsvFileOutcome[]> {
  const dir = join(stagingDir, randomBytes(8).toString('hex'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const original = new Map<string, string>();
  try {
    const files = req.files.map((file, i) => {
      const staged = join(dir, `${i}-${basename(file)}`);
      place(file, staged);
      original.set(staged, file);
      return staged;
    });
    const outcomes = await load({ ...req, files });
    return outcomes.map((o) => ({ ...o, file: original.get(o.file) ?? o.file }));
  } catch (e) {
    throw renamed(e, original);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function place(file: string, staged: string): void {
  try {
    linkSync(file, staged);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RecpipeError('NOT_FOUND', `file ${file} does not exist`);
    // EXDEV: another file system; EPERM: protected hard links (a file this user does not own).
    copyFileSync(file, staged);
  }
}

function renamed(e: unknown, original: Map<string, string>): unknown {
  if (!isRecpipeError(e)) return e;
  let message = e.message;
  for (const [staged, file] of original) message = message.replaceAll(staged, file);
  return message === e.message ? e : new RecpipeError(e.code, message, e.details);
}
