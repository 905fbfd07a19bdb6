import { listenError, stopSignal } from '../serve-lifecycle.js';
import { RecpipeError } from '../../core/errors.js';
import { isLoopback, loadConfig, loadTlsProxy, loadWarehouseUrl, WAREHOUSE_KEY_SECRET } from '../../config/index.js';
import { findServer } from '../../client/index.js';

interface ServerOptions {
  port?: string;
  host?: string;
  home?: string;
  tlsProxy?: string;
  warehouseUrl?: string;
  awsRegion?: string;
}

export async function serve(o: ServerOptions): Promise<void> {
  const config = loadConfig({ ...o, createHome: true });
  const warehouseLink = await linkTo(loadWarehouseUrl(o.warehouseUrl), config.home);
  const running = await findServer(config.home);
  if (running) throw new RecpipeError('CONFLICT', `a recpipe server (pid ${running.pid}) already serves ${config.home} at ${running.url}`);
  // Imported here so other commands start without loading fastify and DuckDB.
  const [{ Engine }, { startServer, OPENAPI_PATH }] = await Promise.all([
    import('../../engine/index.js'),
    import('../../service/index.js'),
  ]);
  const proxy = loadTlsProxy(o.tlsProxy);
  const engine = await Engine.open({ home: config.home });
  let server;
  try {
    server = await startServer(engine, {
      ...config,
      warehouseLink,
      awsRegion: o.awsRegion,
      tlsProxy: proxy,
      logger: { level: 'warn', stream: process.stderr },
    });
  } catch (e) {
    await engine.close();
    throw listenError(e, config.host, config.port);
  }
  process.stdout.write(
    `recpipe server listening at ${server.url} (bound to ${server.listening}; home ${config.home}, pid ${process.pid})\n`,
  );
  if (!isLoopback(config.host)) {
    process.stderr.write(
      proxy === undefined
        ? `warning: listening on ${server.listening}, reachable from other machines, and no TLS proxy is named (--tls-proxy): API keys and data would cross the network in clear. Put an https proxy in front, or bind 127.0.0.1.\n`
        : `serving other machines through the TLS proxy ${proxy}\n`,
    );
  }
  if (warehouseLink) {
    process.stdout.write(`/ext/train reads and writes the tables of the warehouse at ${warehouseLink.url}\n`);
    const link = new URL(warehouseLink.url);
    if (link.protocol === 'http:' && !isLoopback(link.hostname.replace(/^\[|\]$/g, ''))) {
      process.stderr.write(
        `warning: the warehouse link ${warehouseLink.url} is plain http to another machine: its API key and the ratings would cross the network in clear; use https.\n`,
      );
    }
  }
  process.stdout.write(`Console: ${server.url}/ (sign in with a user's password or an API key)\n`);
  process.stdout.write(`OpenAPI document: ${server.url}${OPENAPI_PATH}\n`);
  await stopSignal();
  await server.close();
  await engine.close();
  process.stderr.write('stopped\n');
}

/** The link to the warehouse, its key checked now so a missing secret stops the start rather than the first training call. */
async function linkTo(url: string | undefined, home: string) {
  if (url === undefined) return undefined;
  const [{ WarehouseLink }, { SecretStore }] = await Promise.all([import('../../external/index.js'), import('../../secrets/index.js')]);
  const secrets = new SecretStore(home);
  secrets.resolve(WAREHOUSE_KEY_SECRET);
  return new WarehouseLink(url, () => secrets.resolve(WAREHOUSE_KEY_SECRET));
}
