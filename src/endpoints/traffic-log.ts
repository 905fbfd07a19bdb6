import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { pathExists } from '../util/path-exists.js';

/** Minutes of history kept per endpoint (a day); older minutes are dropped when a process writes its file. */
export const RETENTION_MINUTES = 24 * 60;
/** Seconds of per-second history shared between processes (the live charts show the last two minutes). */
export const SHARED_SECONDS = 300;
/** How often a process writes its seconds while it serves: the live charts of other processes lag by this much. */
const SECONDS_FLUSH_MS = 1_000;
/** How often it writes its minutes (and once more when it closes). */
const MINUTES_FLUSH_MS = 5_000;
/** Files of other processes read at most per endpoint and kind (the newest): a bound on a home where many short processes ran. */
const MAX_FILES = 200;

/** One endpoint's traffic in one minute or second `t` (unix): requests, errors and the latency histogram (bucket → count, only the buckets used). */
export interface TrafficRecord {
  readonly t: number;
  r: number;
  e: number;
  readonly h: Record<number, number>;
}

type Kind = 'minutes' | 'seconds';

/** Records by unix minute or second, and how many processes' records are among them. */
export interface Found {
  readonly records: Map<number, TrafficRecord>;
  readonly processes: number;
}

interface LogFile {
  readonly pid: number;
  readonly records: TrafficRecord[];
}

/** This process's records of one endpoint, and whether each kind changed since it was written. */
interface Own {
  readonly minutes: Map<number, TrafficRecord>;
  readonly seconds: Map<number, TrafficRecord>;
  dirty: Set<Kind>;
  /** This process has written the endpoint's folder: if it is gone now, another process deleted the endpoint. */
  wrote: boolean;
}

/**
 * Invocation aggregates of every process using a home, on disk: per minute for a day (they survive
 * restarts) and per second for the last SHARED_SECONDS (the live charts count every process). Each
 * process writes only its own files, `<home>/endpoint-traffic/<endpoint>/<pid>-<random>.<kind>.json`
 * (owner-only, replaced atomically, the seconds at most once a second and only after new traffic),
 * so processes never contend; a reader sums every file of the endpoint. Files past their span are
 * removed when read; a deleted endpoint's folder is removed at once (`forget`), and a process that
 * finds the folder it wrote gone drops its records of the endpoint instead of writing them back. Files
 * of the layout before the folders (`<home>/endpoint-traffic/<pid>-<random>.json`) are removed once.
 */
export class TrafficLog {
  private readonly stem = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly own = new Map<string, Own>();
  private timer: NodeJS.Timeout | null = null;
  private lastMinutesWrite = 0;
  private writing: Promise<void> = Promise.resolve();
  private oldLayoutSwept: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private readonly onError: (e: Error) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** `count` invocations of `endpoint` in unix second `second`, `errors` of them failed, in histogram bucket `bucket`. */
  add(endpoint: string, second: number, count: number, errors: number, bucket: number): void {
    let own = this.own.get(endpoint);
    if (!own) this.own.set(endpoint, (own = { minutes: new Map(), seconds: new Map(), dirty: new Set(), wrote: false }));
    addTo(own.minutes, Math.floor(second / 60), count, errors, bucket);
    addTo(own.seconds, second, count, errors, bucket);
    own.dirty.add('minutes').add('seconds');
    this.schedule();
  }

  /**
   * Drops a deleted endpoint's traffic: this process's records, and every process's files of it. A
   * process that still holds the endpoint's records from before the deletion writes nothing more of
   * them unless it serves the endpoint again.
   */
  forget(endpoint: string): Promise<void> {
    this.own.delete(endpoint);
    this.writing = this.writing.then(() =>
      rm(this.folder(endpoint), { recursive: true, force: true }).catch((e: Error) => this.onError(e)),
    );
    return this.writing;
  }

  /** Writes this process's changed seconds (and minutes, unless only the seconds are due), dropping those past their span. */
  flush(what: 'all' | 'seconds' = 'all'): Promise<void> {
    this.writing = this.writing.then(async () => {
      await this.sweepOldLayout();
      const now = this.now();
      if (what === 'all') this.lastMinutesWrite = now;
      const oldest = { minutes: Math.floor(now / 60_000) - RETENTION_MINUTES, seconds: Math.floor(now / 1000) - SHARED_SECONDS };
      for (const [endpoint, own] of this.own) {
        for (const kind of ['seconds', 'minutes'] as const) {
          if (!own.dirty.has(kind) || (kind === 'minutes' && what === 'seconds')) continue;
          own.dirty.delete(kind);
          const records = own[kind];
          for (const t of records.keys()) if (t < oldest[kind]) records.delete(t);
          try {
            if (own.wrote && !(await pathExists(this.folder(endpoint)))) {
              // Deleted by another process since: what this one holds of it goes too.
              this.own.delete(endpoint);
              break;
            }
            await mkdir(this.folder(endpoint), { recursive: true, mode: 0o700 });
            const file: LogFile = { pid: process.pid, records: [...records.values()] };
            await writeFileAtomic(join(this.folder(endpoint), `${this.stem}.${kind}.json`), JSON.stringify(file));
            own.wrote = true;
          } catch (e) {
            this.onError(e as Error);
          }
        }
      }
      // A pending timer still writes what arrived meanwhile.
      if (what === 'seconds' && [...this.own.values()].some((o) => o.dirty.has('minutes'))) this.schedule();
    });
    return this.writing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** `endpoint`'s minutes from unix minute `from` on, summed over every process, this one included. */
  minutes(endpoint: string, from: number): Promise<Found> {
    return this.records(endpoint, 'minutes', from, true);
  }

  /**
   * `endpoint`'s seconds from unix second `from` on (at most SHARED_SECONDS back), summed over the
   * other processes (this one's are counted, to the request, by its caller).
   */
  seconds(endpoint: string, from: number): Promise<Found> {
    return this.records(endpoint, 'seconds', from, false);
  }

  /** Removes the files of the layout before the folder per endpoint (nothing reads them), once per process. */
  private sweepOldLayout(): Promise<void> {
    this.oldLayoutSwept ??= readdir(this.dir, { withFileTypes: true }).then(
      (entries) =>
        Promise.all(
          entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => rm(join(this.dir, e.name), { force: true })),
        ).then(
          () => undefined,
          (e: Error) => this.onError(e),
        ),
      // No folder yet: nothing to sweep.
      () => undefined,
    );
    return this.oldLayoutSwept;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush(this.now() - this.lastMinutesWrite >= MINUTES_FLUSH_MS ? 'all' : 'seconds');
    }, SECONDS_FLUSH_MS).unref();
  }

  private folder(endpoint: string): string {
    // Endpoint names are checked file names (endpoint-name.ts): letters, digits and hyphens.
    return join(this.dir, endpoint);
  }

  /**
   * The records of `endpoint` of one kind from `from` on, summed over every other process's file and,
   * `withOwn`, this process's records (the newest, not yet written). Unreadable files are skipped;
   * files past the kind's span are removed. Returns the records found and how many processes contributed.
   */
  private async records(endpoint: string, kind: Kind, from: number, withOwn: boolean): Promise<Found> {
    await this.sweepOldLayout();
    const sum = new Map<number, TrafficRecord>();
    const merge = (records: Iterable<TrafficRecord>): boolean => {
      let any = false;
      for (const rec of records) {
        if (rec.t < from) continue;
        any = true;
        let s = sum.get(rec.t);
        if (!s) sum.set(rec.t, (s = { t: rec.t, r: 0, e: 0, h: {} }));
        s.r += rec.r;
        s.e += rec.e;
        for (const [b, c] of Object.entries(rec.h)) s.h[Number(b)] = (s.h[Number(b)] ?? 0) + c;
      }
      return any;
    };
    let processes = withOwn && merge(this.own.get(endpoint)?.[kind].values() ?? []) ? 1 : 0;
    const folder = this.folder(endpoint);
    const suffix = `.${kind}.json`;
    const names = await readdir(folder).catch(() => [] as string[]);
    const others = names.filter((f) => f.endsWith(suffix) && !f.startsWith('.') && f !== `${this.stem}${suffix}`);
    const dated = await Promise.all(
      others.map(async (f) => ({ path: join(folder, f), mtime: (await stat(join(folder, f)).catch(() => null))?.mtimeMs ?? 0 })),
    );
    const expired = this.now() - (kind === 'minutes' ? RETENTION_MINUTES * 60_000 : SHARED_SECONDS * 1000);
    dated.sort((a, b) => b.mtime - a.mtime);
    for (const [i, { path, mtime }] of dated.entries()) {
      if (mtime < expired || i >= MAX_FILES) {
        // Past its span (or beyond the bound): nothing in it would be shown; a missing file is fine.
        if (mtime < expired) await rm(path, { force: true });
        continue;
      }
      try {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as LogFile;
        if (Array.isArray(parsed.records) && merge(parsed.records.filter(isRecord))) processes++;
      } catch {
        // Being replaced or damaged: the other files still count.
      }
    }
    return { records: sum, processes };
  }
}

function addTo(records: Map<number, TrafficRecord>, t: number, count: number, errors: number, bucket: number): void {
  let rec = records.get(t);
  if (!rec) records.set(t, (rec = { t, r: 0, e: 0, h: {} }));
  rec.r += count;
  rec.e += errors;
  rec.h[bucket] = (rec.h[bucket] ?? 0) + count;
}

const isRecord = (r: unknown): r is TrafficRecord =>
  typeof r === 'object' &&
  r !== null &&
  Number.isSafeInteger((r as TrafficRecord).t) &&
  typeof (r as TrafficRecord).r === 'number' &&
  typeof (r as TrafficRecord).e === 'number' &&
  typeof (r as TrafficRecord).h === 'object';
