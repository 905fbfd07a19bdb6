import { join } from 'node:path';

/** Files recpipe's edges keep in a home directory beside the engine's own data. */
export interface HomeFiles {
  /** Written by a running server so clients on the same home find it. */
  readonly serverInfo: string;
  /** The SQL REPL's history, one entry per line. */
  readonly sqlHistory: string;
}

export function homeFiles(home: string): HomeFiles {
  return { serverInfo: join(home, 'server.json'), sqlHistory: join(home, '.sql_history') };
}
