import type { Command } from 'commander';
import { WAREHOUSE_KEY_SECRET } from '../../config/config.js';
import { lazy } from './lazy.js';

export function registerServer(program: Command): void {
  program
    .command('server')
    .description('Serve a home over HTTP (SQL statements, sessions, OpenAPI) so several clients can share it')
    .option('--port <port>', 'TCP port, 0 for any free one (default $RECPIPE_PORT or 7878)')
    .option('--host <address>', 'address to listen on (default $RECPIPE_HOST or 127.0.0.1)')
    .option('--home <dir>', 'data directory (default $RECPIPE_HOME or ./recpipe-data)')
    .option(
      '--tls-proxy <url>',
      'the https:// URL of the TLS-terminating proxy in front of a non-loopback bind (default $RECPIPE_TLS_PROXY)',
    )
    .option(
      '--warehouse-url <url>',
      `the recpipe server whose tables /ext/train reads and writes, with the key in secret ${WAREHOUSE_KEY_SECRET} (default $RECPIPE_WAREHOUSE_URL; none: this home)`,
    )
    .option('--aws-region <region>', 'the region SigV4 credentials (recpipe keys create --aws) are scoped to (default us-east-1)')
    .action(lazy(() => import('../commands/server.js'), 'serve'));
}
