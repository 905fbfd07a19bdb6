import type { Command } from 'commander';
import { listenError, stopSignal } from '../serve-lifecycle.js';
import { RecpipeError } from '../../core/errors.js';
import { loadConfig } from '../../config/index.js';
import { findServer } from '../../client/index.js';

interface ServerOptions {
  port?: string;
  host?: string;
  home?: string;
}

export function registerServer(program: Command): void {
  program
    .command('server')
    .description('Serve a home over HTTP (SQL statements, sessions, OpenAPI) so several clients can share it')
    .option('--port <port>', 'TCP port, 0 for any free one (default $RECPIPE_PORT or 7878)')
    .option('--host <address>', 'address to listen on (default $RECPIPE_HOST or 127.0.0.1)')
    .option('--home <dir>', 'data directory (default $RECPIPE_HOME or ./recpipe-data)')
    .action((opts: ServerOptions) => serve(opts));
}

async function serve(o: ServerOptions): Promise<void> {
  const config = loadConfig(o);
  const running = await findServer(config.home);
  if (running) throw new RecpipeError('CONFLICT', `a recpipe server (pid ${running.pid}) already serves ${config.home} at ${running.url}`);
  // Imported here so other commands start without loading fastify and DuckDB.
  const [{ Engine }, { startServer, OPENAPI_PATH }] = await Promise.all([import('../../engine/index.js'), import('../../service/index.js')]);
  const engine = await Engine.open({ home: config.home });
  let server;
  try {
    server = await startServer(engine, { ...config, logger: { level: 'warn', stream: process.stderr } });
  } catch (e) {
    await engine.close();
    throw listenError(e, config.host, config.port);
  }
  process.stdout.write(`recpipe server listening at ${server.url} (home ${config.home}, pid ${process.pid})\n`);
  process.stdout.write(`OpenAPI document: ${server.url}${OPENAPI_PATH}\n`);
  await stopSignal();
  await server.close();
  await engine.close();
  process.stderr.write('stopped\n');
}
