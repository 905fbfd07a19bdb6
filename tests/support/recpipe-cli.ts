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

/** Runs `recpipe …` as a real child process in `cwd`, feeding it `input` on stdin. */
export function recpipe(args: string[], opts: { input?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...cleanEnv(), ...opts.env }, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
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

/** Starts `recpipe server --home HOME --port 0` and resolves with the URL it prints. */
export function startServerChild(home: string): Promise<ServerChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'server', '--home', home, '--port', '0'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    };
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /listening at (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url && stdout.includes('OpenAPI document:')) resolve({ url, child, exited, stop });
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}
