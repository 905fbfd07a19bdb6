import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readArtifact, resolveArtifactStore } from '../artifacts/index.js';
import { RecpipeError, invalid, notFound } from '../core/index.js';
import type { KernelPreference } from '../kernels/index.js';
import { checkEndpointName } from './endpoint-name.js';
import { summarizeManifest, type EndpointDescription, type EndpointStatus } from './endpoint-state.js';
import { EndpointMetrics } from './endpoint-metrics.js';
import { EndpointStore } from './endpoint-store.js';
import { TrafficLog } from './traffic-log.js';
import { ModelRuntime, type Recommendation } from './model-runtime.js';
import type { UserRatings } from './user-ratings.js';

export interface EndpointManagerOptions {
  /** The recpipe home; endpoint state lives in `<home>/endpoints/`. */
  readonly home: string;
  /** Kernels for recommend's top-N (default `auto`: WebAssembly when available). */
  readonly kernels?: KernelPreference;
  /** Told about failures that have no caller to report to (a state file that could not be written). */
  readonly onBackgroundError?: (e: Error) => void;
}

interface Entry {
  description: EndpointDescription;
  /** The model answering invocations; null while Creating, Failed or Deleting. */
  runtime: ModelRuntime | null;
  /** Bumped by every deploy and delete: a load that finishes for an older generation is dropped. */
  generation: number;
  deleting?: Promise<EndpointDescription>;
}

const DEFAULT_WAIT_MS = 60_000;

/**
 * SageMaker-style real-time endpoints in this process: deploy an artifact under a name, invoke it,
 * update it to a new artifact without a failed or mixed request, delete it. deploy returns at once
 * and the artifact loads in the background; an update keeps serving the old model until the new one
 * is ready, then switches with one reference swap. State is kept in `<home>/endpoints/<name>.json`
 * and every endpoint is loaded again when a manager opens the home.
 */
export class EndpointManager {
  private readonly entries = new Map<string, Entry>();
  private readonly loads = new Set<Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private readonly kernels: KernelPreference;
  /**
   * Invocation counts and latencies of every path (HTTP, the console, SQL invoke_model and recommend):
   * per second and per minute for every process of the home (`<home>/endpoint-traffic/`).
   */
  readonly metrics: EndpointMetrics;
  private readonly onBackgroundError: (e: Error) => void;
  private closed = false;

  private constructor(
    private readonly store: EndpointStore,
    opts: EndpointManagerOptions,
  ) {
    this.kernels = opts.kernels ?? 'auto';
    this.onBackgroundError = opts.onBackgroundError ?? ((e) => process.emitWarning(e.message, 'RecpipeEndpointWarning'));
    this.metrics = new EndpointMetrics(Date.now, new TrafficLog(join(dirname(store.dir), 'endpoint-traffic'), this.onBackgroundError));
  }

  /** Opens the endpoints of `home`, starting to load every stored one (status Creating until loaded). */
  static async open(opts: EndpointManagerOptions): Promise<EndpointManager> {
    const store = new EndpointStore(join(resolve(opts.home), 'endpoints'));
    const { endpoints, unreadable } = await store.readAll();
    const manager = new EndpointManager(store, opts);
    for (const d of endpoints) manager.restore(d);
    for (const u of unreadable) {
      const now = new Date().toISOString();
      manager.entries.set(u.name, {
        description: {
          name: u.name,
          status: 'Failed',
          artifactUri: '',
          failureReason: `${u.reason}; delete the endpoint and deploy it again`,
          createdAt: now,
          lastModifiedAt: now,
        },
        runtime: null,
        generation: 0,
      });
    }
    return manager;
  }

  /**
   * Creates endpoint `name` serving the artifact at `artifactUri` (status Creating), or, when it is
   * InService, updates it (status Updating; the old model serves until the new one is loaded).
   * Returns at once. A Failed endpoint is created afresh; one still Creating, Updating or Deleting is a
   * CONFLICT, as in SageMaker.
   */
  deploy(name: string, artifactUri: string): EndpointDescription {
    this.assertOpen();
    checkEndpointName(name);
    const uri = canonicalArtifactUri(artifactUri);
    const now = new Date().toISOString();
    let entry = this.entries.get(name);
    if (!entry || entry.description.status === 'Failed') {
      this.refuseCaseClash(name);
      const created: EndpointDescription = { name, status: 'Creating', artifactUri: uri, createdAt: now, lastModifiedAt: now };
      if (!entry) this.entries.set(name, (entry = { description: created, runtime: null, generation: 0 }));
      this.update(entry, created);
    } else if (entry.description.status === 'InService') {
      const { failureReason: _, ...current } = entry.description;
      this.update(entry, { ...current, status: 'Updating', pendingArtifactUri: uri, lastModifiedAt: now });
    } else {
      const { status } = entry.description;
      const wait = status === 'Deleting' ? 'it is being deleted' : 'wait until it is InService or Failed before deploying again';
      throw new RecpipeError('CONFLICT', `Endpoint ${name} is ${status}: cannot deploy ${uri} to it now; ${wait}`, {
        endpoint: name,
        status,
      });
    }
    this.startLoad(entry, uri);
    return entry.description;
  }

  /**
   * Deletes the endpoint: it is Deleting (and answers no more invocations) as soon as this is called,
   * and gone when the returned promise resolves with its last description.
   */
  delete(name: string): Promise<EndpointDescription> {
    this.assertOpen();
    const entry = this.entryOf(name);
    if (entry.deleting) return entry.deleting;
    entry.generation++;
    entry.runtime = null;
    this.update(entry, { ...entry.description, status: 'Deleting', lastModifiedAt: new Date().toISOString() });
    const last = entry.description;
    entry.deleting = this.store.remove(name).then(
      async () => {
        this.entries.delete(name);
        // Its traffic files (every process's) go now, not after a day.
        await this.metrics.forget(name);
        this.notify();
        return last;
      },
      (e: Error) => {
        entry.deleting = undefined;
        this.update(entry, { ...last, status: 'Failed', failureReason: `deleting the endpoint failed: ${e.message}` });
        throw new RecpipeError('INTERNAL', `Endpoint ${name} could not be deleted: ${e.message}`, { endpoint: name });
      },
    );
    return entry.deleting;
  }

  describe(name: string): EndpointDescription {
    return this.entryOf(name).description;
  }

  /** Every endpoint, by name. */
  list(): EndpointDescription[] {
    return [...this.entries.values()].map((e) => e.description).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Resolves with the description once the endpoint has `status`. Rejects when it becomes Failed
   * instead (FAILED_PRECONDITION with the failure reason), is deleted (NOT_FOUND), or `timeoutMs` passes.
   */
  waitFor(name: string, status: EndpointStatus, timeoutMs = DEFAULT_WAIT_MS): Promise<EndpointDescription> {
    return new Promise((resolvePromise, reject) => {
      const settled = (): boolean => {
        const entry = this.entries.get(name);
        const d = entry?.description;
        if (this.closed)
          reject(new RecpipeError('FAILED_PRECONDITION', `the endpoint manager was closed while waiting for endpoint ${name}`));
        else if (!d) reject(notFound(`Could not find endpoint ${name}`, { endpoint: name }));
        else if (d.status === status) resolvePromise(d);
        else if (d.status === 'Failed')
          reject(new RecpipeError('FAILED_PRECONDITION', `Endpoint ${name} failed: ${d.failureReason}`, { endpoint: name }));
        else return false;
        return true;
      };
      if (settled()) return;
      const listener = (): void => {
        if (settled()) stop();
      };
      const timer = setTimeout(() => {
        stop();
        const now = this.entries.get(name)?.description.status ?? 'gone';
        reject(
          new RecpipeError('FAILED_PRECONDITION', `Endpoint ${name} did not become ${status} within ${timeoutMs} ms (status ${now})`, {
            endpoint: name,
          }),
        );
      }, timeoutMs);
      const stop = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
    });
  }

  /**
   * The model serving `name` now. Throws NOT_FOUND "Could not find endpoint X" (SageMaker's
   * ValidationError) or FAILED_PRECONDITION "Endpoint X is not InService (status S)" (ModelNotReady).
   * An Updating endpoint still serves its old model.
   */
  serving(name: unknown): ModelRuntime {
    this.assertOpen();
    if (typeof name !== 'string') throw invalid(`endpoint name must be a string, got ${name === null ? 'NULL' : typeof name}`);
    const entry = this.entries.get(name);
    if (!entry) throw notFound(`Could not find endpoint ${name}`, { endpoint: name });
    if (entry.runtime === null) {
      const { status, failureReason } = entry.description;
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `Endpoint ${name} is not InService (status ${status})${failureReason ? `: ${failureReason}` : ''}`,
        { endpoint: name, status },
      );
    }
    return entry.runtime;
  }

  /**
   * Clipped predictions for `users[r]`, `items[r]` into `out[r]`, all from one model even when an
   * update switches models meanwhile. NaN where either id is NULL (the caller's NULL). Ids of any
   * type are normalised (1, "1", 1.0 are one user); unknown ids get the model's fallback estimate.
   */
  invokeBatch(name: unknown, users: ArrayLike<unknown>, items: ArrayLike<unknown>, out: Float64Array): void {
    const runtime = this.serving(name);
    this.timed(name as string, users.length, () => runtime.scoreInto(users, items, out));
  }

  /** One prediction; null when either id is NULL. */
  invokeOne(name: unknown, user: unknown, item: unknown): number | null {
    const runtime = this.serving(name);
    return this.timed(name as string, 1, () => runtime.scoreOne(user, item));
  }

  /** One prediction into `out[0]`, a user the model never saw folded in from her `ratings` (see ModelRuntime.scoreWithFoldIn). */
  invokeWithFoldIn(name: unknown, user: unknown, item: unknown, out: Float64Array, ratings: () => UserRatings | null): void {
    const runtime = this.serving(name);
    this.timed(name as string, 1, () => runtime.scoreWithFoldIn([user], [item], out, ratings));
  }

  /** The user's top-k items (see ModelRuntime.recommend: a new user is folded in from `ratings`); null for a NULL user. */
  recommend(name: unknown, user: unknown, k: unknown, ratings: UserRatings | null = null): Recommendation | null {
    const runtime = this.serving(name);
    return this.timed(name as string, 1, () => runtime.recommend(user, positiveK(k), ratings));
  }

  /** recommend(name, users[r], k) for a batch of users, from one model (see ModelRuntime.recommendMany). */
  recommendMany(name: unknown, users: ArrayLike<unknown>, k: unknown): (Recommendation | null)[] {
    const runtime = this.serving(name);
    const n = positiveK(k);
    return this.timed(name as string, users.length, () => runtime.recommendMany(users, n));
  }

  /** Runs `count` invocations of a serving endpoint and records them (a throw is `count` failures). */
  private timed<T>(name: string, count: number, run: () => T): T {
    const started = performance.now();
    let failed = true;
    try {
      const result = run();
      failed = false;
      return result;
    } finally {
      this.metrics.record(name, performance.now() - started, failed, count);
    }
  }

  /** Waits for loads and state writes in flight, then refuses further calls. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    await Promise.all(this.loads);
    await this.store.flush();
    await this.metrics.close();
  }

  private restore(d: EndpointDescription): void {
    if (d.status === 'Deleting') {
      void this.store.remove(d.name).catch((e: Error) => this.onBackgroundError(e));
      return;
    }
    const entry: Entry = { description: d, runtime: null, generation: 0 };
    this.entries.set(d.name, entry);
    if (d.status === 'Failed') return;
    // A restart during an update rolls back to the served model, as a failed update does.
    const note =
      d.status === 'Updating' ? `the update to ${d.pendingArtifactUri} was interrupted by a restart; deploy it again` : d.failureReason;
    const { pendingArtifactUri: _, failureReason: __, ...rest } = d;
    this.update(entry, { ...rest, status: 'Creating', lastModifiedAt: new Date().toISOString(), ...(note ? { failureReason: note } : {}) });
    this.startLoad(entry, d.artifactUri, note);
  }

  /** Loads `uri` off the request path (from the next turn of the event loop) and switches `entry` to it. */
  private startLoad(entry: Entry, uri: string, noteOnSuccess?: string): void {
    const generation = ++entry.generation;
    const current = () => this.entries.get(entry.description.name) === entry && entry.generation === generation;
    const load = new Promise<void>((r) => setImmediate(r))
      .then(() => readArtifact(uri))
      .then((artifact) => new ModelRuntime(artifact, this.kernels))
      .then(
        (runtime) => {
          if (!current()) return;
          const { pendingArtifactUri: _, failureReason: __, ...rest } = entry.description;
          entry.runtime = runtime; // the switch: requests from here on see the new model
          this.update(entry, {
            ...rest,
            status: 'InService',
            artifactUri: uri,
            model: summarizeManifest(runtime.manifest),
            lastModifiedAt: new Date().toISOString(),
            ...(noteOnSuccess ? { failureReason: noteOnSuccess } : {}),
          });
        },
        (e: Error) => {
          if (!current()) return;
          const { pendingArtifactUri: _, ...rest } = entry.description;
          const now = new Date().toISOString();
          const why = `could not load model artifact ${uri}: ${e.message}`;
          this.update(
            entry,
            entry.runtime
              ? {
                  ...rest,
                  status: 'InService',
                  failureReason: `update rolled back, still serving ${rest.artifactUri}: ${why}`,
                  lastModifiedAt: now,
                }
              : { ...rest, status: 'Failed', failureReason: why, lastModifiedAt: now },
          );
        },
      )
      .catch((e: Error) => this.onBackgroundError(e))
      .finally(() => this.loads.delete(load));
    this.loads.add(load);
  }

  /** Replaces the entry's description, stores it and wakes waiters. */
  private update(entry: Entry, d: EndpointDescription): void {
    entry.description = d;
    this.store.save(d).catch((e: Error) => this.onBackgroundError(new Error(`endpoint ${d.name}: state not saved: ${e.message}`)));
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private entryOf(name: string): Entry {
    const entry = typeof name === 'string' ? this.entries.get(name) : undefined;
    if (!entry) throw notFound(`Could not find endpoint ${name}`, { endpoint: name });
    return entry;
  }

  /** Names differing only in case would share a state file on case-insensitive file systems. */
  private refuseCaseClash(name: string): void {
    const lower = name.toLowerCase();
    for (const other of this.entries.keys()) {
      if (other !== name && other.toLowerCase() === lower) {
        throw new RecpipeError(
          'CONFLICT',
          `endpoint name ${name} differs only in case from existing endpoint ${other}; pick another name`,
          { endpoint: name },
        );
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', 'the endpoint manager is closed');
  }
}

/** `file:///abs/dir` for a path or file URI (so a stored endpoint does not depend on the working directory); unknown schemes are INVALID_ARGUMENT. */
function canonicalArtifactUri(artifactUri: unknown): string {
  if (typeof artifactUri !== 'string' || artifactUri.trim() === '')
    throw invalid(`artifact URI must be a non-empty string, got ${JSON.stringify(artifactUri) ?? String(artifactUri)}`);
  const ref = artifactUri.trim();
  const { store, location } = resolveArtifactStore(ref);
  // A mistyped job name or path fails here, before an endpoint is created or an update rolled back.
  if (store.scheme === 'file' && !existsSync(location)) {
    throw notFound(
      `no training job or model artifact named '${ref}' (nothing at ${location}); give a Completed job's name (train-…) or an artifact directory`,
      { artifact: ref },
    );
  }
  return store.uri(location);
}

function positiveK(k: unknown): number {
  const n = typeof k === 'bigint' ? Number(k) : k;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw invalid(`k must be a positive integer, got ${String(k)}`);
  return n;
}
