import { createProgram } from '../../src/cli/program.js';
import { runCli } from '../../src/cli/run.js';
import type { Outcome } from './recpipe-cli.js';

let capturing = false;

/**
 * Runs `recpipe …` inside the test process, where a child process would only add its start-up
 * (≈ 1.5–4 CPU-s each: Node, DuckDB, the service's imports and the SQL dialect's WASM compile, all
 * already paid in this process): the exit code and what the command printed. Use a child
 * (`recpipe()`) when the test is about the process itself: its exit, signals, stdin, cwd or env.
 *
 * What the command writes to stdout and stderr is captured while it runs. Only text is taken from
 * stdout: the test runner reports to its parent over the same stream in binary (v8-serialized)
 * chunks, which pass through untouched. Calls must not overlap.
 */
export async function recpipeInProcess(args: string[]): Promise<Outcome & { code: number }> {
  if (capturing) throw new Error('recpipeInProcess calls must not overlap: their output would mix');
  capturing = true;
  let stdout = '';
  let stderr = '';
  const { stdout: out, stderr: err } = process;
  const outWrite = out.write;
  const errWrite = err.write;
  const text = (chunk: unknown): chunk is string => typeof chunk === 'string';
  // Both streams' write take (chunk, encoding?, callback?); the callback is called as a write's would be.
  const capture =
    (original: typeof out.write, append: (t: string) => void, all: boolean) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      if (!all && !text(chunk)) return (original as (...a: unknown[]) => boolean).call(out, chunk, ...rest);
      append(text(chunk) ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (done) queueMicrotask(done);
      return true;
    };
  out.write = capture(outWrite, (t) => (stdout += t), false) as typeof out.write;
  err.write = capture(errWrite, (t) => (stderr += t), true) as typeof err.write;
  try {
    const program = createProgram()
      .exitOverride()
      .configureOutput({ writeErr: (t) => (stderr += t), writeOut: (t) => (stdout += t) });
    const code = await runCli(program, ['node', 'recpipe', ...args], (t) => (stderr += t));
    return { code, stdout, stderr };
  } finally {
    out.write = outWrite;
    err.write = errWrite;
    capturing = false;
  }
}
