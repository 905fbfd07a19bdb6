import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, chownSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The home owner's credential, like a database socket's peer authentication: whoever can read
 * `<home>/owner.token` (mode 0600, owned by the home directory's owner) is the home's owner, and the
 * CLI presents it without being asked. It acts as recpipe's built-in administrator.
 */
export const OWNER_TOKEN_FILE = 'owner.token';

const TOKEN_PATTERN = /^rpo_[A-Za-z0-9_-]{43}$/;

export const ownerTokenFile = (home: string): string => join(home, OWNER_TOKEN_FILE);

/** The home's owner token, created on first use (written under a private name and linked into place, so it appears whole). */
export function ensureOwnerToken(home: string): string {
  const existing = readOwnerToken(home);
  if (existing !== null) return existing;
  const file = ownerTokenFile(home);
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `rpo_${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(draft, 0o600);
    giveToHomeOwner(home, draft);
    linkSync(draft, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(draft, { force: true });
  }
  const token = readOwnerToken(home);
  if (token === null) throw new Error(`${file} is not a recpipe owner token; delete it and start recpipe again`);
  return token;
}

/** The token in the home, or null when there is none (or this user cannot read it: then this user is not the owner). */
export function readOwnerToken(home: string): string | null {
  let text: string;
  try {
    text = readFileSync(ownerTokenFile(home), 'utf8').trim();
  } catch {
    return null;
  }
  return TOKEN_PATTERN.test(text) ? text : null;
}

/** Constant-time comparison of a presented credential with the owner token. */
export function isOwnerToken(presented: string, token: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A server started by root for another user's home leaves the token readable by that user alone. */
function giveToHomeOwner(home: string, file: string): void {
  if (process.getuid?.() !== 0) return;
  const st = statSync(home);
  if (st.uid !== 0) chownSync(file, st.uid, st.gid);
}
