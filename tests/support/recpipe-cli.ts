import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './shared-data.js';

const BIN = join(repoRoot(), 'bin', 'recpipe.js');

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without RECPIPE_* settings, so only the flags a test passes count. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RECPIPE_')));
}

/** Every child still running; killed when the test process exits, whatever happened to the test. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** A CLI run that takes longer than this is killed (and reported as such) rather than left running. */
const RUN_TIMEOUT_MS = 240_000;

/** Runs `recpipe …` as a real child process in `cwd`, feeding it `input` on stdin. */
export function recpipe(
  args: string[],
  opts: { input?: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...cleanEnv(), ...opts.env },
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    track(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n[test] recpipe ${args.join(' ')} killed after ${opts.timeoutMs ?? RUN_TIMEOUT_MS} ms\n`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? RUN_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(opts.input ?? '');
  });
}

export interface ServerChild {
  readonly url: string;
  readonly child: ChildProcess;
  /** Settles with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit code (at once if it has already exited). */
  stop(): Promise<number | null>;
}

/**
 * Starts `recpipe server --home HOME --port 0 [ARGS…]` (with `env` added to the environment) and resolves with the URL it prints. A server that is
 * not listening within `timeoutMs` is killed and the start fails; `stop()` sends SIGTERM, then
 * SIGKILL if the server has not exited 10 s later.
 */
export function startServerChild(
  home: string,
  timeoutMs = 60_000,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<ServerChild> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [BIN, 'server', '--home', home, '--port', '0', ...args], {
        env: { ...cleanEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
        void exited.finally(() => clearTimeout(hard));
      }
      return exited;
    };
    const late = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server for ${home} was not listening after ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /listening at (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url && stdout.includes('OpenAPI document:')) {
        clearTimeout(late);
        resolve({ url, child, exited, stop });
      }
    });
    void exited.then((code) => {
      clearTimeout(late);
      reject(new Error(`server exited (${code}) before listening: ${stderr}`));
    });
  });
}
