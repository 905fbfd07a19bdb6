import type { Command } from 'commander';
import { connectControl, type ControlClient } from '../client/index.js';
import { CREATE_HOME_OPTION, loadApiKey, loadConfig } from '../config/index.js';

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

export function addControlOptions(command: Command): Command {
  return command
    .option('--home <dir>', 'data directory (default $RECPIPE_HOME or ./recpipe-data)')
    .option(...CREATE_HOME_OPTION)
    .option('--server <url>', 'use the recpipe server at this URL instead of finding one for the home')
    .option('--key <key>', 'API key for the server (default $RECPIPE_API_KEY, else the home owner token)');
}

/**
 * Runs `work` with a client for the home's running server, or for the home opened in this process
 * when none runs; says which on stderr, as `recpipe sql` does.
 */
export async function withControl<T>(o: ControlOptions, work: (client: ControlClient, home: string) => Promise<T>): Promise<T> {
  const home = connectionHome(o);
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
