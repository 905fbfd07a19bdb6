/**
 * The suite runs in a few long-lived processes instead of one per test file: every process pays
 * Node's start-up, the SQL dialect's 22 MB WASM compile (~2 CPU-s, see src/sql/dialect/polyglot.ts),
 * DuckDB's native load and the service's imports once, not 170 times.
 *
 * Each shard process (tests/shards/shard-*.ts, run side by side by `node --test`) claims the next
 * unclaimed test file from a queue shared by every shard of the same run, imports it, and waits for
 * its tests before claiming another, so the shards stay busy until the queue is empty whatever the
 * machine. A claim is a file created exclusively in a directory named for the `node --test` process.
 * There are more shard files than `--test-concurrency`: a spare starts when a shard ends, so one
 * stopped by a file's timeout is replaced, and finds the queue empty (and ends at once) otherwise.
 *
 * Test files share a process, so they must not change process-wide state (env, cwd, V8 flags) —
 * run a single file alone with `node --test dist/path/to/x.test.js` as before. RECPIPE_TEST_FILES (a
 * regular expression over paths like `src/core/x.test.js`) limits a sharded run to the files it matches.
 */
import { AsyncResource } from 'node:async_hooks';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { closeSharedBrowser, keepSharedBrowser, SCREENSHOTS as TEST_OUTPUT } from './browser.js';
import { type FileTime, knownWallMs, reportRun, startTiming, writeTime } from './file-times.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long one test file may run. On Node 20 `--test-timeout` bounds each process `node --test`
 * starts (each file, before the shards), not each test; a shard runs many files, so the runner's
 * bound is a backstop for the whole shard and this one takes the per-file role.
 */
const FILE_TIMEOUT_MS = Number(process.env.RECPIPE_TEST_FILE_TIMEOUT_MS ?? 300_000);

/**
 * Every compiled test file, slowest first by the last committed measurement (tests/shards/file-times.json),
 * so that no long file starts when the others are ending. New files (not measured yet) follow in path order.
 */
export function testFiles(dist: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.js')) found.push(relative(dist, path));
    }
  };
  for (const top of ['src', 'tests']) walk(join(dist, top));
  const only = process.env.RECPIPE_TEST_FILES ? new RegExp(process.env.RECPIPE_TEST_FILES) : null;
  const known = knownWallMs(join(dist, '..'));
  const wall = (file: string): number => known.get(file) ?? -1;
  return found.filter((f) => !only || only.test(f)).sort((a, b) => wall(b) - wall(a) || a.localeCompare(b));
}

/** The `node --test` process's id and start time (pids are reused), so a rerun has a fresh queue. */
function runId(): string {
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    return `${process.ppid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return String(process.ppid);
  }
}

function claimsDir(): string {
  const parent = join(tmpdir(), 'recpipe-test-runs');
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  for (const old of readdirSync(parent)) {
    const path = join(parent, old);
    try {
      if (Date.now() - statSync(path).mtimeMs > DAY_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another shard removed it first
    }
  }
  const dir = join(parent, runId());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function claim(dir: string, file: string): boolean {
  try {
    // The claim names the shard's process, for a post-mortem of a shard that ended early.
    writeFileSync(join(dir, file.replaceAll('/', '__')), `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Runs test files until none is left unclaimed. Each file runs as a suite named for it, imported in
 * that suite, so that its top-level tests and hooks are the suite's: a failing top-level `before`
 * fails that file only, and its `after` runs when the file is done. After each file, a test claims
 * and starts the next: the root test must never run out of queued tests while files remain, or
 * `--test-force-exit` ends the process there. Both are created in the root's async scope, as the
 * test runner picks a new test's parent by the async context it is created in.
 */
export async function runShard(): Promise<void> {
  // This file is dist/tests/support/shard-runner.js.
  const dist = fileURLToPath(new URL('../../', import.meta.url));
  const claims = claimsDir();
  const queue = testFiles(dist);
  const root = new AsyncResource('recpipe-test-shard');
  // A shard that ends with a file unfinished fails, rather than dropping its tests without a word.
  let running: string | undefined = '(the first file)';
  process.once('exit', () => {
    if (running === undefined) return;
    process.stderr.write(`test shard ${process.pid} exited before ${running} finished\n`);
    process.exitCode = 1;
  });
  // Process-wide state a file may change (opening a home sets the umask to 0077) is put back before the next.
  const cwd = process.cwd();
  const umask = process.umask(0o022);
  process.umask(umask);
  let watchdog: NodeJS.Timeout | undefined;
  let timing: (() => FileTime) | undefined;
  // The browser files of this shard share one chromium, closed when the queue is empty.
  keepSharedBrowser(true);
  const next = async (): Promise<void> => {
    clearTimeout(watchdog);
    if (timing) writeTime(claims, timing());
    process.chdir(cwd);
    process.umask(umask);
    let file: string | undefined;
    while ((file = queue.shift()) !== undefined && !claim(claims, file)) {}
    running = file;
    if (file === undefined) {
      await closeSharedBrowser();
      const report = reportRun(claims, TEST_OUTPUT);
      if (report) process.stderr.write(report);
      return;
    }
    const claimed = file;
    timing = startTiming(claimed);
    const url = pathToFileURL(join(dist, claimed)).href;
    root.runInAsyncScope(() => {
      describe(claimed, async () => {
        await import(url);
      });
      test(`(${claimed} done)`, next);
    });
    watchdog = setTimeout(() => {
      if (timing) writeTime(claims, { ...timing(), timedOut: true });
      process.stderr.write(`test shard ${process.pid}: ${claimed} did not finish within ${FILE_TIMEOUT_MS} ms\n`);
      process.exit(1);
    }, FILE_TIMEOUT_MS).unref();
  };
  void next();
}
