import { loadApiKey } from '../../config/index.js';
import { connect, copyIntoStatement, parseOutputFormat, runScript } from '../../client/index.js';
import { connectionHome } from '../control.js';
import { sessionInit, type SessionOptions } from './sql.js';

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

export async function load(table: string, file: string, o: LoadOptions): Promise<void> {
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
