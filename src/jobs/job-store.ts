import { appendFile, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { TrainingJob } from './job.js';
import { JOB_NAME_PATTERN } from './job-name.js';

const FORMAT = 'recpipe-training-job';
const FORMAT_VERSION = 1;
const STATUSES = new Set(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']);

interface Slot {
  /** The newest state not yet written; older unwritten states are simply superseded. */
  latest: TrainingJob | null;
  writing: Promise<void> | null;
  log: Promise<void>;
}

/**
 * Jobs on disk: `<root>/<name>/job.json` (replaced atomically on every change) and `log.txt`
 * (appended). Writes of one job are serialised so an older state can never land after a newer one.
 */
export class JobStore {
  private readonly slots = new Map<string, Slot>();

  constructor(readonly root: string) {}

  dir(name: string): string {
    return join(this.root, name);
  }

  /** Resolves once `job` (or a newer state of it) is on disk. */
  save(job: TrainingJob): Promise<void> {
    const slot = this.slot(job.name);
    slot.latest = job;
    slot.writing ??= this.drain(job.name, slot);
    return slot.writing;
  }

  appendLog(name: string, text: string): Promise<void> {
    const slot = this.slot(name);
    // One failed append (a full disk) must not block the ones after it.
    slot.log = slot.log.catch(() => undefined).then(() => appendFile(join(this.dir(name), 'log.txt'), text));
    return slot.log;
  }

  /** The whole log so far ('' before the first line), after every pending append. */
  async readLog(name: string): Promise<string> {
    await this.slots.get(name)?.log.catch(() => undefined);
    try {
      return await readFile(join(this.dir(name), 'log.txt'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw e;
    }
  }

  /** Waits for every pending write, failed ones included. */
  async flush(): Promise<void> {
    await Promise.all([...this.slots.values()].flatMap((s) => [s.writing?.catch(() => undefined), s.log.catch(() => undefined)]));
  }

  /** Every stored job, oldest first, plus a message for each directory that holds no readable job. */
  async loadAll(): Promise<{ jobs: TrainingJob[]; problems: string[] }> {
    let names: string[];
    try {
      names = (await readdir(this.root, { withFileTypes: true }))
        .filter((d) => d.isDirectory() && JOB_NAME_PATTERN.test(d.name))
        .map((d) => d.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { jobs: [], problems: [] };
      throw e;
    }
    const jobs: TrainingJob[] = [];
    const problems: string[] = [];
    for (const name of names.sort()) {
      const file = join(this.dir(name), 'job.json');
      try {
        jobs.push(parseJobFile(await readFile(file, 'utf8'), name));
      } catch (e) {
        problems.push(`${file}: ${(e as Error).message}`);
      }
    }
    jobs.sort((a, b) => (a.creationTime < b.creationTime ? -1 : a.creationTime > b.creationTime ? 1 : 0));
    return { jobs, problems };
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = { latest: null, writing: null, log: Promise.resolve() };
      this.slots.set(name, slot);
    }
    return slot;
  }

  private async drain(name: string, slot: Slot): Promise<void> {
    try {
      for (let job = slot.latest; job; job = slot.latest) {
        slot.latest = null;
        await writeFileAtomic(
          join(this.dir(name), 'job.json'),
          JSON.stringify({ format: FORMAT, formatVersion: FORMAT_VERSION, ...job }, null, 2) + '\n',
        );
      }
    } finally {
      slot.writing = null;
    }
  }
}

function parseJobFile(text: string, dirName: string): TrainingJob {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (raw.format !== FORMAT) throw new Error(`not a training job file (format ${JSON.stringify(raw.format)}, expected ${FORMAT})`);
  if (raw.formatVersion !== FORMAT_VERSION)
    throw new Error(`format version ${JSON.stringify(raw.formatVersion)} is not supported (this recpipe reads ${FORMAT_VERSION})`);
  if (raw.name !== dirName) throw new Error(`holds job ${JSON.stringify(raw.name)}, but its directory is ${dirName}`);
  if (!STATUSES.has(raw.status as string)) throw new Error(`unknown status ${JSON.stringify(raw.status)}`);
  if (!Array.isArray(raw.secondaryStatusTransitions) || typeof raw.spec !== 'object' || raw.spec === null)
    throw new Error('spec or secondaryStatusTransitions is missing');
  const { format: _f, formatVersion: _v, ...job } = raw;
  return { columns: null, ...job } as unknown as TrainingJob;
}
