import type { Command } from 'commander';
import { ON_ERROR_CHOICES } from '../../client/copy-statement.js';
import { addConnectionOptions } from './options.js';
import { lazy } from './lazy.js';

export function registerLoad(program: Command): void {
  const command = program
    .command('load')
    .description(
      "Load a local file into a table with a named file format (the guide's \"Load Data\" button): COPY INTO table FROM 'file://…'",
    )
    .argument('<table>', 'target table: name, schema.name or database.schema.name')
    .argument('<file>', 'the file to load (e.g. ratings.csv)')
    .requiredOption('--file-format <name>', 'a file format made with CREATE FILE FORMAT (e.g. MOVIELENS)')
    .option('--on-error <action>', `what to do with bad rows: ${ON_ERROR_CHOICES.join(' | ')} (default abort_statement)`)
    .option('--force', 'load the file even if this table loaded it before (Snowflake skips such files)')
    .option('--format <format>', 'table | csv | json', 'table');
  addConnectionOptions(command).action(lazy(() => import('../commands/load.js'), 'load'));
}
