import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface StandIn {
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts the protocol stand-in (protocol-test-server.ts) in a child process; node flags such as --cpu-prof are inherited. */
export function startStandIn(args: readonly string[] = []): Promise<StandIn> {
  const script = fileURLToPath(new URL('./protocol-test-server.js', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ url: `http://127.0.0.1:${d.toString().trim()}`, child, stop }));
    child.once('exit', (code) => reject(new Error(`protocol stand-in exited with ${code} before listening`)));
  });
}
