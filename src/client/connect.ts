import { resolve } from 'node:path';
import { readOwnerToken } from '../auth/owner-token.js';
import { readServerInfo, type ServerInfo } from '../config/index.js';
import { requestJson } from './http-json.js';
import { HttpSqlClient } from './http-sql-client.js';
import { InProcessSqlClient } from './in-process-sql-client.js';
import type { SessionInit, SqlClient } from './sql-client.js';

export interface ConnectOptions {
  home: string;
  /** A server to use instead of looking one up in `<home>/server.json`. */
  url?: string;
  session?: SessionInit;
  /** An API key; without one, the home's owner token (when this OS user can read it). */
  key?: string;
}

/** The credential a client on `home` presents: the key it was given, else the owner token it can read. */
export function clientKey(home: string, key?: string): string | undefined {
  return key ?? readOwnerToken(home) ?? undefined;
}

interface Health {
  status?: string;
  home?: string;
  pid?: number;
}

/** A server short of this answers no health check: treat it as gone. */
const HEALTH_TIMEOUT_MS = 2_000;

/**
 * The server recorded in `<home>/server.json`, if it answers its health check for this very home
 * (a stale record may point at a port some other program now uses).
 */
export async function findServer(home: string): Promise<ServerInfo | null> {
  const info = readServerInfo(home);
  if (!info) return null;
  try {
    const h = await requestJson<Health>(info.url, 'GET', '/api/v1/health', { timeoutMs: HEALTH_TIMEOUT_MS });
    return h.status === 'ok' && h.home === resolve(home) && h.pid === info.pid ? info : null;
  } catch {
    return null;
  }
}

/**
 * A SQL client for `home`: through its running server when there is one (only one process may own a
 * home), otherwise by opening the home in-process. `client.mode`/`description` say which was chosen.
 */
export async function connect(opts: ConnectOptions): Promise<SqlClient> {
  const key = clientKey(opts.home, opts.key);
  if (opts.url !== undefined) return HttpSqlClient.open(opts.url, opts.session, key);
  const server = await findServer(opts.home);
  if (server) return HttpSqlClient.open(server.url, opts.session, key);
  return InProcessSqlClient.open(opts.home, opts.session);
}
