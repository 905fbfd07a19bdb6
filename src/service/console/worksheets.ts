import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecpipeError, invalid, notFound } from '../../core/errors.js';
import { writeFileAtomic } from '../../util/atomic-file.js';

export const WORKSHEETS_FILE = 'console-worksheets.json';

export interface Worksheet {
  readonly id: string;
  readonly name: string;
  readonly sql: string;
  readonly updatedOn: string;
}

interface WorksheetFile {
  version: 1;
  /** Worksheets by the signed-in identity that owns them (a user's name, or `owner`). */
  owners: Record<string, Worksheet[]>;
}

const MAX_PER_OWNER = 200;
const MAX_SQL_CHARS = 1024 * 1024;
const MAX_NAME_CHARS = 200;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The console's worksheets, one owner-only JSON file in the home, rewritten whole by the atomic writer.
 * Saves are queued one after another, so two tabs saving at once cannot lose each other's worksheets.
 */
export class WorksheetStore {
  readonly file: string;
  #data: WorksheetFile | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(home: string) {
    this.file = join(home, WORKSHEETS_FILE);
  }

  list(owner: string): Worksheet[] {
    return [...(this.#load().owners[owner] ?? [])];
  }

  save(owner: string, id: string, input: { name: string; sql: string }, now = new Date()): Promise<Worksheet> {
    if (!ID.test(id)) throw invalid(`worksheet id '${id.slice(0, 80)}' must be 1 to 64 letters, digits, '_' or '-'`);
    if (input.name.trim() === '' || input.name.length > MAX_NAME_CHARS)
      throw invalid(`a worksheet name must be 1 to ${MAX_NAME_CHARS} characters`);
    if (input.sql.length > MAX_SQL_CHARS)
      throw invalid(`worksheet '${input.name}' is ${input.sql.length} characters; at most ${MAX_SQL_CHARS}`);
    return this.#change(owner, (sheets) => {
      const sheet: Worksheet = { id, name: input.name, sql: input.sql, updatedOn: now.toISOString() };
      const at = sheets.findIndex((s) => s.id === id);
      if (at >= 0) sheets[at] = sheet;
      else if (sheets.length >= MAX_PER_OWNER)
        throw new RecpipeError('RESOURCE_EXHAUSTED', `you have ${sheets.length} worksheets (limit ${MAX_PER_OWNER}); delete one first`);
      else sheets.push(sheet);
      return sheet;
    });
  }

  remove(owner: string, id: string): Promise<void> {
    return this.#change(owner, (sheets) => {
      const at = sheets.findIndex((s) => s.id === id);
      if (at < 0) throw notFound(`worksheet '${id.slice(0, 80)}' not found`);
      sheets.splice(at, 1);
    });
  }

  #change<T>(owner: string, edit: (sheets: Worksheet[]) => T): Promise<T> {
    const run = this.#queue.then(async () => {
      const current = this.#load();
      const sheets = [...(current.owners[owner] ?? [])];
      const result = edit(sheets);
      const next: WorksheetFile = { version: 1, owners: { ...current.owners, [owner]: sheets } };
      await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n');
      this.#data = next;
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #load(): WorksheetFile {
    if (this.#data) return this.#data;
    if (!existsSync(this.file)) return (this.#data = { version: 1, owners: {} });
    let parsed: Partial<WorksheetFile>;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<WorksheetFile>;
    } catch (e) {
      throw new RecpipeError('FAILED_PRECONDITION', `${this.file} is not valid JSON (${(e as Error).message}); restore it or remove it`);
    }
    if (parsed?.version !== 1 || typeof parsed.owners !== 'object' || parsed.owners === null)
      throw new RecpipeError('FAILED_PRECONDITION', `${this.file} is not a recpipe worksheet file (version 1 with owners)`);
    return (this.#data = parsed as WorksheetFile);
  }
}
