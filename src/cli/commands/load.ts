import type { Command } from 'commander';
import { loadApiKey } from '../../config/index.js';
import { connect, copyIntoStatement, ON_ERROR_CHOICES, parseOutputFormat, runScript } from '../../client/index.js';
import { connectionHome } from '../control.js';
import { addConnectionOptions, sessionInit, type SessionOptions } from './sql.js';

interface LoadOptions extends SessionOptions {
  fileFormat: string;
  onError?: string;
  force?: boolean;
  format: string;
  home?: string;
  createHome?: boolean;
  server?: string;
  key?: string;
}

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
  addConnectionOptions(command).action((table: string, file: string, opts: LoadOptions) => load(table, file, opts));
}

async function load(table: string, file: string, o: LoadOptions): Promise<void> {
  const format = parseOutputFormat(o.format);
  // Built (and so validated) before connecting: a refused name never reaches the engine.
  const statement = copyIntoStatement({ table, file, fileFormat: o.fileFormat, onError: o.onError, force: o.force, cwd: process.cwd() });
  const client = await connect({ home: connectionHome(o), url: o.server, session: sessionInit(o), key: loadApiKey(o.key) });
  process.stderr.write(client.description + '\n');
  try {
    await runScript(client, statement, { format, out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) });
  } finally {
    await client.close();
  }
}
