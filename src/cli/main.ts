import { createProgram } from './program.js';
import { runCli } from './run.js';

const code = await runCli(createProgram(), process.argv);
// A command may have set a failing status itself (a piped worksheet with errors); success never clears it.
if (code !== 0) process.exitCode = code;
