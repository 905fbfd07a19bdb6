import { CommanderError, type Command } from 'commander';
import { isRecpipeError } from '../core/errors.js';
import { exitCode } from '../util/error-status.js';

/** Runs the program; returns the exit code of the error it ended with (0 when none), having printed it to `err`. */
export async function runCli(
  program: Command,
  argv: string[],
  err: (text: string) => void = (t) => void process.stderr.write(t),
): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (isRecpipeError(e)) {
      err(`recpipe: ${e.message}\n`);
      return exitCode(e.code);
    }
    // Thrown only under exitOverride (in-process runs); commander has already printed its message.
    if (e instanceof CommanderError) return e.exitCode;
    err(`recpipe: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
