import { createProgram } from '../../src/cli/program.js';
import { runCli } from '../../src/cli/run.js';

/**
 * Runs `recpipe …` inside the test process, for argument checks and quick refusals where a child
 * process would only add start-up time (≈ 1–3 s each on a loaded 2-core machine): the exit code and
 * the error the CLI edge reported. What the command prints itself is not captured (the test runner
 * talks to its parent over this process's stdout), so anything read from the output needs a child.
 */
export async function recpipeInProcess(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const program = createProgram()
    .exitOverride()
    .configureOutput({ writeErr: (t) => (stderr += t), writeOut: () => undefined });
  const code = await runCli(program, ['node', 'recpipe', ...args], (t) => (stderr += t));
  return { code, stderr };
}
