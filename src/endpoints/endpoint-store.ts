import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { parseStoredDescription, type EndpointDescription } from './endpoint-state.js';

/** A stored file that could not be read back: its endpoint is reported Failed rather than dropped. */
export interface UnreadableEndpoint {
  readonly name: string;
  readonly file: string;
  readonly reason: string;
}

/**
 * `<home>/endpoints/<name>.json`, one file per endpoint, each replaced atomically. Operations on one
 * endpoint run in the order they were asked for (a queue per name), so a late write can never
 * resurrect a deleted endpoint or overwrite a newer state.
 */
export class EndpointStore {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(readonly dir: string) {}

  fileOf(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  async readAll(): Promise<{ endpoints: EndpointDescription[]; unreadable: UnreadableEndpoint[] }> {
    await mkdir(this.dir, { recursive: true });
    const endpoints: EndpointDescription[] = [];
    const unreadable: UnreadableEndpoint[] = [];
    // Temp files of interrupted writes start with a dot and are skipped.
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();
    for (const f of files) {
      const name = f.slice(0, -'.json'.length);
      const file = join(this.dir, f);
      try {
        const d = parseStoredDescription(JSON.parse(await readFile(file, 'utf8')), file);
        if (d.name !== name) throw new Error(`it describes endpoint ${JSON.stringify(d.name)}, not ${JSON.stringify(name)}`);
        endpoints.push(d);
      } catch (e) {
        unreadable.push({ name, file, reason: `state file ${file} is unreadable: ${(e as Error).message}` });
      }
    }
    return { endpoints, unreadable };
  }

  save(d: EndpointDescription): Promise<void> {
    const text = JSON.stringify(d, null, 2) + '\n';
    return this.enqueue(d.name, () => writeFileAtomic(this.fileOf(d.name), text));
  }

  remove(name: string): Promise<void> {
    return this.enqueue(name, () => rm(this.fileOf(name), { force: true }));
  }

  /** Resolves once every operation asked for so far has finished (failed ones included). */
  async flush(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  private enqueue(name: string, op: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(name) ?? Promise.resolve()).then(op);
    const settled = run.catch(() => undefined);
    this.queues.set(name, settled);
    void settled.then(() => {
      if (this.queues.get(name) === settled) this.queues.delete(name);
    });
    return run;
  }
}
