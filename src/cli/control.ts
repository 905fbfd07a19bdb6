import type { ControlClient } from '../client/index.js';
import { loadApiKey, loadConfig } from '../config/index.js';

/** Where a jobs/endpoints command finds its home and, optionally, the server to use. */
export interface ControlOptions {
  home?: string;
  createHome?: boolean;
  server?: string;
  key?: string;
}

/** --home must name an existing home unless --create-home is given; with --server the home is not opened. */
export function connectionHome(o: { home?: string; createHome?: boolean; server?: string }): string {
  return loadConfig({ home: o.home, createHome: o.createHome === true || o.server !== undefined }).home;
}

/**
 * Runs `work` with a client for the home's running server, or for the home opened in this process
 * when none runs; says which on stderr, as `recpipe sql` does.
 */
export async function withControl<T>(o: ControlOptions, work: (client: ControlClient, home: string) => Promise<T>): Promise<T> {
  const home = connectionHome(o);
  // Imported here: `recpipe train --ratings` reaches this module but never a server, so it skips the client and its AWS signer.
  const { connectControl } = await import('../client/index.js');
  const client = await connectControl({ home, url: o.server, key: loadApiKey(o.key) });
  process.stderr.write(client.description + '\n');
  try {
    return await work(client, home);
  } finally {
    await client.close();
  }
}

export const print = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : text + '\n');

/** Pretty JSON for `--json` output. */
export const jsonText = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';
