import { clientKey, findServer } from './connect.js';
import type { ControlClient } from './control-client.js';
import { HttpControlClient } from './http-control-client.js';
import { requestJson } from './http-json.js';
import { InProcessControlClient } from './in-process-control-client.js';

export interface ControlConnectOptions {
  home: string;
  /** A server to use instead of looking one up in `<home>/server.json`. */
  url?: string;
  /** An API key; without one, the home's owner token. */
  key?: string;
}

/**
 * A jobs-and-endpoints client for `home`, chosen as `connect` chooses a SQL client: the home's
 * running server when there is one, otherwise the home opened in this process.
 */
export async function connectControl(opts: ControlConnectOptions): Promise<ControlClient> {
  const key = clientKey(opts.home, opts.key);
  if (opts.url !== undefined) {
    const client = new HttpControlClient(opts.url, key);
    // Fails early, naming the URL, when nothing answers there.
    await requestJson(client.url, 'GET', '/api/v1/health');
    return client;
  }
  const server = await findServer(opts.home);
  if (server) return new HttpControlClient(server.url, key);
  return InProcessControlClient.open(opts.home);
}
