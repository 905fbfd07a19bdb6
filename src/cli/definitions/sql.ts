import type { Command } from 'commander';
import { addConnectionOptions } from './options.js';
import { lazy } from './lazy.js';

export function registerSql(program: Command): void {
  const command = program
    .command('sql')
    .description('Run Snowflake-flavoured SQL: an interactive worksheet, -q "…" or -f file.sql (through the home\'s server when one runs)')
    .option('-q, --query <sql>', 'run these statements and exit')
    .option('-f, --file <path>', 'run the statements in this file and exit')
    .option('--format <format>', 'table | csv | json (csv/json: query rows on stdout, command status on stderr)', 'table');
  addConnectionOptions(command).action(lazy(() => import('../commands/sql.js'), 'sql'));
}
