import type { DuckDBConnection } from '@duckdb/node-api';
import { stringLiteral } from '../identifiers.js';
import { duckdbCall } from './errors.js';

/** The only files DuckDB itself may open once locked down. */
export interface FileAccess {
  /** Directories (and everything under them): database files, spill space, the load staging area. */
  readonly directories: readonly string[];
  /** Single files outside those directories (the system catalog and its WAL). */
  readonly paths: readonly string[];
}

const list = (items: readonly string[]): string => `[${items.map(stringLiteral).join(', ')}]`;

/**
 * Turns off DuckDB's access to the host (file and network functions, COPY … TO elsewhere, ATTACH
 * elsewhere, INSTALL/LOAD) except for the listed files, then locks the configuration so no later
 * statement (SET, RESET, PRAGMA) can turn it back on. DuckDB enforces this in its file system layer,
 * so a statement form recpipe never anticipated still cannot reach the host.
 */
export async function lockDown(conn: DuckDBConnection, access: FileAccess): Promise<void> {
  const dirs = access.directories.map((d) => (d.endsWith('/') ? d : `${d}/`));
  await duckdbCall(async () => {
    await conn.run(`SET allowed_directories = ${list(dirs)}`);
    await conn.run(`SET allowed_paths = ${list(access.paths)}`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET autoinstall_known_extensions = false');
    await conn.run('SET autoload_known_extensions = false');
    await conn.run('SET lock_configuration = true');
  });
}
