import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

/** The `recpipe` command with every subcommand registered (main runs it; tests run it in-process). */
export function createProgram(): Command {
  const program = new Command('recpipe')
    .description(
      'Self-hosted recommender pipeline: Snowflake-flavoured SQL on DuckDB, Surprise-compatible models, SageMaker-style serving.',
    )
    .version('0.1.0');
  registerCommands(program);
  return program;
}
