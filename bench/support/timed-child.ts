import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** GNU time, when the machine has it: the whole child process's CPU seconds and peak RSS, start-up included. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const TIME_MARK = 'recpipe-bench-time';

export interface TimedChild {
  readonly wall: number;
  readonly stdout: string;
  /** User + system CPU seconds of the whole process (all threads, start-up and exit included), when GNU time measured it. */
  readonly processCpu?: number;
  /** Peak RSS of the whole process in bytes, when GNU time measured it. */
  readonly peakRssBytes?: number;
}

/** Runs `command args…` to its end under GNU time (when present); rejects with the end of its stderr when it fails. */
export function timedChild(command: string, args: readonly string[]): Promise<TimedChild> {
  const t0 = performance.now();
  const [cmd, argv] = TIME ? [TIME, ['-f', `${TIME_MARK} %U %S %M`, command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const timed = new RegExp(`${TIME_MARK} ([\\d.]+) ([\\d.]+) (\\d+)`).exec(stderr);
      const measured = timed ? { processCpu: Number(timed[1]) + Number(timed[2]), peakRssBytes: Number(timed[3]) * 1024 } : {};
      if (code === 0) resolve({ wall: (performance.now() - t0) / 1000, stdout, ...measured });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
    });
  });
}
