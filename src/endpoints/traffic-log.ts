import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

/** Minutes of history kept per endpoint (a day); older minutes are dropped when a process writes its file. */
export const RETENTION_MINUTES = 24 * 60;
/** How often a process writes its minutes while it serves (and once more when it closes). */
const FLUSH_MS = 5_000;
/** Files of other processes read at most (the newest): a bound on a home where many short processes ran. */
const MAX_FILES = 200;

/** One endpoint's traffic in one minute: requests, errors and the latency histogram (bucket → count, only the buckets used). */
export interface MinuteRecord {
  /** Unix minute. */
  readonly m: number;
  r: number;
  e: number;
  readonly h: Record<number, number>;
}

interface LogFile {
  readonly pid: number;
  readonly endpoints: Record<string, MinuteRecord[]>;
}

/**
 * Per-minute invocation aggregates of every process using a home, on disk so they survive restarts:
 * each process writes only its own file (`<home>/endpoint-traffic/<pid>-<random>.json`, owner-only,
 * replaced atomically), so processes never contend; a reader sums every file's minutes. Bounded by
 * RETENTION_MINUTES per file; files untouched for longer are removed.
 */
export class TrafficLog {
  private readonly file: string;
  private readonly own = new Map<string, Map<number, MinuteRecord>>();
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly onError: (e: Error) => void,
  ) {
    this.file = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
  }

  /** `count` invocations of `endpoint` in unix minute `minute`, `errors` of them failed, in histogram bucket `bucket`. */
  add(endpoint: string, minute: number, count: number, errors: number, bucket: number): void {
    let minutes = this.own.get(endpoint);
    if (!minutes) this.own.set(endpoint, (minutes = new Map()));
    let rec = minutes.get(minute);
    if (!rec) minutes.set(minute, (rec = { m: minute, r: 0, e: 0, h: {} }));
    rec.r += count;
    rec.e += errors;
    rec.h[bucket] = (rec.h[bucket] ?? 0) + count;
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, FLUSH_MS).unref();
  }

  /** Drops this process's minutes of a deleted endpoint. */
  forget(endpoint: string): void {
    if (this.own.delete(endpoint)) this.dirty = true;
  }

  /** Writes this process's minutes now (when they changed), dropping those past retention. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const oldest = Math.floor(Date.now() / 60_000) - RETENTION_MINUTES;
      const endpoints: Record<string, MinuteRecord[]> = {};
      for (const [name, minutes] of this.own) {
        for (const m of minutes.keys()) if (m < oldest) minutes.delete(m);
        if (minutes.size > 0) endpoints[name] = [...minutes.values()];
      }
      try {
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(this.file, JSON.stringify({ pid: process.pid, endpoints } satisfies LogFile));
      } catch (e) {
        this.onError(e as Error);
      }
    });
    return this.writing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  /**
   * `endpoint`'s minutes from `from` on (unix minutes), summed over every process's file and this
   * process's own minutes (the newest, not yet written). Unreadable files are skipped; files past
   * retention are removed. Returns the minutes found and how many processes contributed.
   */
  async minutes(endpoint: string, from: number): Promise<{ minutes: Map<number, MinuteRecord>; processes: number }> {
    const sum = new Map<number, MinuteRecord>();
    const merge = (records: Iterable<MinuteRecord>): boolean => {
      let any = false;
      for (const rec of records) {
        if (rec.m < from) continue;
        any = true;
        let s = sum.get(rec.m);
        if (!s) sum.set(rec.m, (s = { m: rec.m, r: 0, e: 0, h: {} }));
        s.r += rec.r;
        s.e += rec.e;
        for (const [b, c] of Object.entries(rec.h)) s.h[Number(b)] = (s.h[Number(b)] ?? 0) + c;
      }
      return any;
    };
    let processes = merge(this.own.get(endpoint)?.values() ?? []) ? 1 : 0;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const others = names.filter((f) => f.endsWith('.json') && !f.startsWith('.') && join(this.dir, f) !== this.file);
    const dated = await Promise.all(
      others.map(async (f) => ({ path: join(this.dir, f), mtime: (await stat(join(this.dir, f)).catch(() => null))?.mtimeMs ?? 0 })),
    );
    const expired = Date.now() - RETENTION_MINUTES * 60_000;
    dated.sort((a, b) => b.mtime - a.mtime);
    for (const [i, { path, mtime }] of dated.entries()) {
      if (mtime < expired || i >= MAX_FILES) {
        // Past retention (or beyond the bound): nothing in it would be shown; a missing file is fine.
        if (mtime < expired) await rm(path, { force: true });
        continue;
      }
      try {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as LogFile;
        const records = parsed.endpoints?.[endpoint];
        if (Array.isArray(records) && merge(records.filter(isRecord))) processes++;
      } catch {
        // Being replaced or damaged: the other files still count.
      }
    }
    return { minutes: sum, processes };
  }
}

const isRecord = (r: unknown): r is MinuteRecord =>
  typeof r === 'object' &&
  r !== null &&
  Number.isSafeInteger((r as MinuteRecord).m) &&
  typeof (r as MinuteRecord).r === 'number' &&
  typeof (r as MinuteRecord).e === 'number' &&
  typeof (r as MinuteRecord).h === 'object';
