import { Command } from 'commander';
import { registerCommands } from './commands/index.js';
import { runCli } from './run.js';

const program = new Command('recpipe')
  .description('Self-hosted recommender pipeline: Snowflake-flavoured SQL on DuckDB, Surprise-compatible models, SageMaker-style serving.')
  .version('0.1.0');
registerCommands(program);
await runCli(program, process.argv);
