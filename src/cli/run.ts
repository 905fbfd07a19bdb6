import type { Command } from 'commander';
import { isRecpipeError, type ErrorCode } from '../core/errors.js';

/** CLI exit codes, one per error code (the CLI edge's mapping). */
const EXIT: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 2,
  NOT_FOUND: 3,
  CONFLICT: 4,
  FAILED_PRECONDITION: 5,
  PERMISSION_DENIED: 6,
  RESOURCE_EXHAUSTED: 7,
  UNAUTHENTICATED: 8,
  INTERNAL: 1,
};

export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (isRecpipeError(e)) {
      process.stderr.write(`recpipe: ${e.message}\n`);
      process.exitCode = EXIT[e.code];
      return;
    }
    process.stderr.write(`recpipe: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
