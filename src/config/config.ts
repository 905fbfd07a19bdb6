import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { invalid, notFound } from '../core/errors.js';

/** Where recpipe keeps its data and where its HTTP service listens. */
export interface RecpipeConfig {
  /** Absolute path of the data directory (the "home"); one process owns it at a time. */
  readonly home: string;
  readonly port: number;
  readonly host: string;
}

/** Values given on the command line; each wins over its environment variable. */
export interface ConfigFlags {
  home?: string;
  port?: string | number;
  host?: string;
  /**
   * Make the home when it does not exist yet. Without it only the default home (neither --home nor
   * RECPIPE_HOME given) is made, so a mistyped path fails instead of starting an empty home.
   */
  createHome?: boolean;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export const DEFAULT_HOME = 'recpipe-data';
/** 7878 is unassigned by IANA and unlikely to clash with common dev servers (3000, 5000, 8000, 8080). */
export const DEFAULT_PORT = 7878;
/** Loopback by default: exposing the service (even with its keys) is an explicit choice, best made behind a TLS proxy. */
export const DEFAULT_HOST = '127.0.0.1';

export const ENV = {
  home: 'RECPIPE_HOME',
  port: 'RECPIPE_PORT',
  host: 'RECPIPE_HOST',
  apiKey: 'RECPIPE_API_KEY',
  tlsProxy: 'RECPIPE_TLS_PROXY',
  warehouseUrl: 'RECPIPE_WAREHOUSE_URL',
} as const;

/** Pure resolution: flag > environment variable > default. Relative homes resolve against `cwd`. */
export function resolveConfig(flags: ConfigFlags, env: Environment, cwd: string): RecpipeConfig {
  const home = pick(flags.home, env[ENV.home]) ?? DEFAULT_HOME;
  const port =
    flags.port !== undefined ? parsePort(flags.port, '--port') : env[ENV.port] ? parsePort(env[ENV.port]!, ENV.port) : DEFAULT_PORT;
  const host = pick(flags.host, env[ENV.host]) ?? DEFAULT_HOST;
  return { home: resolve(cwd, home), port, host };
}

/**
 * The one place recpipe reads `process.env`. The configured default home (`./recpipe-data`, or
 * `$RECPIPE_HOME`, where a user sets theirs) is made when first used; a `--home` naming any other
 * directory must exist unless `createHome` is set, so a mistyped path is an error, not a new empty home.
 */
export function loadConfig(flags: ConfigFlags = {}): RecpipeConfig {
  const config = resolveConfig(flags, process.env, process.cwd());
  const configured = resolveConfig({}, process.env, process.cwd()).home;
  if (config.home !== configured && flags.createHome !== true && !existsSync(config.home)) {
    throw notFound(`no recpipe home at ${config.home}; pass --create-home to make one`, { home: config.home });
  }
  return config;
}

export const CREATE_HOME_OPTION = [
  '--create-home',
  'make the data directory given by --home if it does not exist (the default home, ./recpipe-data or $RECPIPE_HOME, is made when first used)',
] as const;

/** The API key a client presents: --key, else RECPIPE_API_KEY, else none (the CLI then uses the home's owner token). */
export function loadApiKey(flag?: string, env: Environment = process.env): string | undefined {
  return pick(flag, env[ENV.apiKey]);
}

/** The TLS-terminating proxy in front of a server bound beyond loopback (--tls-proxy or RECPIPE_TLS_PROXY). */
export function loadTlsProxy(flag?: string, env: Environment = process.env): string | undefined {
  return pick(flag, env[ENV.tlsProxy]);
}

/** The secret holding the key an ML service presents to its linked warehouse (`recpipe secret set WAREHOUSE_API_KEY`). */
export const WAREHOUSE_KEY_SECRET = 'WAREHOUSE_API_KEY';

/**
 * The warehouse an ML service reads training tables from and writes recommendations to
 * (--warehouse-url or RECPIPE_WAREHOUSE_URL); undefined: the service's own home. Only the operator
 * sets it, never a caller, so a request cannot point the service at another URL.
 */
export function loadWarehouseUrl(flag?: string, env: Environment = process.env): string | undefined {
  const raw = pick(flag, env[ENV.warehouseUrl]);
  if (raw === undefined) return undefined;
  const source = flag !== undefined && flag !== '' ? '--warehouse-url' : ENV.warehouseUrl;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (
    url === null ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw invalid(`${source} must be the http(s) URL of a recpipe server, such as http://127.0.0.1:7878, got ${JSON.stringify(raw)}`, {
      source,
      value: raw,
    });
  }
  return url.href.replace(/\/+$/, '');
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Secrets given in the environment override the secret store: RECPIPE_SECRET_<NAME>. */
export const SECRET_ENV_PREFIX = 'RECPIPE_SECRET_';

/** The secrets set in the environment, by name (empty values count as unset). Read here, with the rest of the configuration. */
export function loadSecretEnv(env: Environment = process.env): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(SECRET_ENV_PREFIX) && key.length > SECRET_ENV_PREFIX.length && value)
      out.set(key.slice(SECRET_ENV_PREFIX.length), value);
  }
  return out;
}

function pick(flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  return env !== undefined && env !== '' ? env : undefined;
}

function parsePort(value: string | number, source: string): number {
  const text = String(value).trim();
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw invalid(`${source} must be a TCP port between 0 and 65535, got ${JSON.stringify(String(value))}`, { source, value });
  }
  return port;
}
