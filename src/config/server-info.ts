import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file.js';
import { homeFiles } from './home-files.js';

/** What `<home>/server.json` says about the server that owns the home. */
export interface ServerInfo {
  readonly pid: number;
  readonly url: string;
  readonly home: string;
  readonly version: string;
  readonly startedAt: string;
}

/** Written atomically (temp file + rename) so a reader never sees half a file. */
export async function writeServerInfo(info: ServerInfo): Promise<void> {
  await writeFileAtomic(homeFiles(info.home).serverInfo, JSON.stringify(info, null, 2) + '\n');
}

/** The recorded server, or null when there is none or the file is not a server record. */
export function readServerInfo(home: string): ServerInfo | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(homeFiles(home).serverInfo, 'utf8'));
  } catch {
    return null;
  }
  return isServerInfo(parsed) ? parsed : null;
}

/** Removes the record only if it still names `pid`, so a stopping server never deletes a successor's. */
export function removeServerInfo(home: string, pid: number): void {
  if (readServerInfo(home)?.pid === pid) rmSync(homeFiles(home).serverInfo, { force: true });
}

function isServerInfo(v: unknown): v is ServerInfo {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Number.isInteger(o.pid) && typeof o.url === 'string' && typeof o.home === 'string';
}
