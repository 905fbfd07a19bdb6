import type { FastifyInstance } from 'fastify';
import { recpipeVersion, removeServerInfo, writeServerInfo } from '../config/index.js';
import { createService, type ServiceOptions } from './app.js';
import type { ServiceEngine } from './context.js';
import { collectWhenIdle, type IdleHeapOptions } from './idle-heap.js';

export interface ServeOptions extends ServiceOptions {
  host: string;
  /** 0 picks a free port; the chosen one is in `url`. */
  port: number;
  /** When the heap is collected after requests (defaults: 1 s idle, 32 MB grown). */
  idleHeap?: IdleHeapOptions;
}

export interface RunningServer {
  /** Where a client on this machine reaches the server (wildcard binds are reached over loopback). */
  readonly url: string;
  /** The address and port actually listened on, e.g. `0.0.0.0:7878` or `[::1]:7878`. */
  readonly listening: string;
  readonly app: FastifyInstance;
  /** Stops accepting requests, lets running ones finish and removes `<home>/server.json`. */
  close(): Promise<void>;
}

/** Serves the engine and records the server in `<home>/server.json` so clients on the same home find it. */
export async function startServer(engine: ServiceEngine, opts: ServeOptions): Promise<RunningServer> {
  const version = opts.version ?? recpipeVersion();
  const app = await createService(engine, { ...opts, version });
  // A long-running server gives a large request's memory back once it goes quiet.
  collectWhenIdle(app, opts.idleHeap);
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const bound = typeof address === 'object' && address ? address.address : opts.host;
  const listening = `${bound.includes(':') ? `[${bound}]` : bound}:${port}`;
  const url = `http://${clientHost(opts.host)}:${port}`;
  // SQL functions (train_and_get_recommendations, deploy_model) answer with links to this server.
  engine.links.baseUrl = url;
  try {
    await writeServerInfo({ pid: process.pid, url, home: opts.home, version, startedAt: new Date().toISOString() });
  } catch (e) {
    await app.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    listening,
    app,
    close: () =>
      (closing ??= (async () => {
        removeServerInfo(opts.home, process.pid);
        await app.close();
      })()),
  };
}

/** The address a local client should dial: wildcard binds are reached over loopback; IPv6 needs brackets. */
function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
