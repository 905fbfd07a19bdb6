import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RecpipeError, invalid } from '../core/errors.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

/** What `keys list` shows of a key: never the key or its hash. */
export interface ApiKeyInfo {
  readonly name: string;
  /** The key's public first part (`rpk_<id>`), enough to tell keys apart in logs and lists. */
  readonly prefix: string;
  readonly role: string;
  /** The user the key signs in as (null: a key for /ext/* only, made before keys had users). */
  readonly user: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

interface StoredKey {
  name: string;
  /** `rpk_<id>_…` keys: 12 hex digits; AWS access keys: the access key id itself. */
  id: string;
  role: string;
  user?: string;
  createdAt: string;
  /**
   * `aws`: an access key pair for SigV4. The server must recompute the HMAC, so its secret cannot be
   * hashed: it lives in the owner-only secret store (secrets.json) under awsSecretName(id).
   */
  kind?: 'aws';
  /** sha256(salt ‖ secret), hex. The secret is 256 random bits, so a slow hash adds no strength here. */
  salt?: string;
  hash?: string;
}

interface KeyFile {
  version: 1;
  keys: StoredKey[];
}

/** Whether a key's public prefix is an AWS access key id (its secret is in the secret store). */
export const isAwsKeyPrefix = (prefix: string): boolean => AWS_KEY_ID_PATTERN.test(prefix);

/** A verified caller. */
export interface ApiKeyIdentity {
  readonly name: string;
  readonly prefix: string;
  readonly role: string;
  readonly user: string | null;
}

const KEY_PATTERN = /^rpk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ROLE_PATTERN = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;

export const API_KEYS_FILE = 'api-keys.json';
/** Last-use times live apart from the keys: the server writes them, so it never races `keys create` on the key file. */
export const API_KEYS_USED_FILE = 'api-keys-used.json';

/** Where an AWS access key's secret is kept in the home's secret store. */
export const awsSecretName = (accessKeyId: string): string => `AWS_SECRET_${accessKeyId}`;

const AWS_KEY_ID_PATTERN = /^RPAK[A-Z2-7]{16}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** An access key id in AWS's form (20 upper-case characters); RPAK marks recpipe's. */
function newAccessKeyId(): string {
  return `RPAK${[...randomBytes(16)].map((b) => BASE32[b & 31]).join('')}`;
}

const hashOf = (salt: Buffer, secret: string): Buffer => createHash('sha256').update(salt).update(secret).digest();

/**
 * The API keys of a home, in `<home>/api-keys.json` (mode 0600, replaced atomically), stored hashed
 * with a per-key salt. The file is re-read whenever it changes, so keys created or revoked by the CLI
 * take effect on a running server at its next request.
 */
export class ApiKeyStore {
  private keys: StoredKey[] = [];
  private byId = new Map<string, StoredKey>();
  private loadedStamp = '';
  private readonly used = new Map<string, string>();
  private usedDirty = false;
  private usedTimer: NodeJS.Timeout | null = null;
  /** Set while a watcher on the home reports every change of the key file (see `watchedBy`). */
  private watched = false;
  private stale = true;

  constructor(readonly home: string) {}

  /**
   * A watcher on the home now reports each change of the key file through the returned callback, so
   * `holds` (asked for every stored session on each sweep and use) answers from memory until the
   * next change instead of a stat each time. `unwatched` returns to a stat per use (the watcher failed
   * or closed). Presented keys (`verify`, `awsKey`) are checked against the file each time anyway:
   * a key revoked a moment before a request on a kept-alive connection is refused even if the
   * watcher's event is handled after the request.
   */
  watchedBy(): { changed: () => void; unwatched: () => void } {
    this.watched = true;
    this.stale = true;
    return {
      changed: () => {
        this.stale = true;
      },
      unwatched: () => {
        this.watched = false;
      },
    };
  }

  get file(): string {
    return join(this.home, API_KEYS_FILE);
  }

  private get usedFile(): string {
    return join(this.home, API_KEYS_USED_FILE);
  }

  /**
   * Creates a key for `role`, signing in as `user` (who must exist in the home's catalog: the CLI
   * creates it first); the returned `key` is the only time the secret exists in clear.
   */
  create(role: string, name?: string, user?: string, now = new Date()): { key: string; info: ApiKeyInfo } {
    const id = randomBytes(6).toString('hex');
    const keyName = this.checkNew(role, name ?? `key-${id}`);
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16);
    const stored: StoredKey = {
      name: keyName,
      id,
      role: role.toUpperCase(),
      ...(user === undefined ? {} : { user }),
      createdAt: now.toISOString(),
      salt: salt.toString('hex'),
      hash: hashOf(salt, secret).toString('hex'),
    };
    this.write([...this.keys, stored]);
    return { key: `rpk_${id}_${secret}`, info: this.info(stored) };
  }

  /**
   * Creates an AWS access key pair for SigV4 callers acting as `user` in `role`. The secret is written
   * to the owner-only secret store before the key exists, so a listed key always has its secret.
   */
  createAws(
    role: string,
    name: string | undefined,
    user: string,
    secrets: { set(name: string, value: string): void },
    now = new Date(),
  ): { accessKeyId: string; secretAccessKey: string; info: ApiKeyInfo } {
    const id = newAccessKeyId();
    const keyName = this.checkNew(role, name ?? `aws-${id.slice(-8).toLowerCase()}`);
    const secretAccessKey = randomBytes(30).toString('base64');
    secrets.set(awsSecretName(id), secretAccessKey);
    const stored: StoredKey = { name: keyName, id, role: role.toUpperCase(), user, createdAt: now.toISOString(), kind: 'aws' };
    this.write([...this.keys, stored]);
    return { accessKeyId: id, secretAccessKey, info: this.info(stored) };
  }

  /** The owner of an AWS access key id, or null for an id that is malformed, unknown or revoked. Records the use. */
  awsKey(accessKeyId: string, now = new Date()): ApiKeyIdentity | null {
    if (!AWS_KEY_ID_PATTERN.test(accessKeyId)) return null;
    this.reload();
    const key = this.byId.get(accessKeyId);
    if (key?.kind !== 'aws') return null;
    this.noteUse(key.id, now);
    return { name: key.name, prefix: key.id, role: key.role, user: key.user ?? null };
  }

  /** Every key, oldest first, without secrets. */
  list(): ApiKeyInfo[] {
    this.reload();
    const used = this.readUsed();
    return this.keys.map((k) => this.info(k, used));
  }

  /** Removes the key named `name` (or with that prefix); NOT_FOUND lists the names there are. */
  revoke(nameOrPrefix: string): ApiKeyInfo {
    this.reload();
    const key = this.keys.find((k) => k.name === nameOrPrefix || this.info(k).prefix === nameOrPrefix);
    if (!key) {
      const known = this.keys.map((k) => k.name).join(', ') || 'none';
      throw new RecpipeError('NOT_FOUND', `no API key named '${nameOrPrefix}' in ${this.file}; keys: ${known}`);
    }
    this.write(this.keys.filter((k) => k !== key));
    return this.info(key);
  }

  /** The key's owner, or null for a key that is malformed, unknown or revoked. Records the use. */
  verify(presented: string, now = new Date()): ApiKeyIdentity | null {
    const m = KEY_PATTERN.exec(presented);
    if (!m) return null;
    this.reload();
    const key = this.byId.get(m[1]);
    if (!key || key.kind === 'aws' || key.hash === undefined || key.salt === undefined) return null;
    const expected = Buffer.from(key.hash, 'hex');
    if (!timingSafeEqual(hashOf(Buffer.from(key.salt, 'hex'), m[2]), expected)) return null;
    this.noteUse(key.id, now);
    return { name: key.name, prefix: `rpk_${key.id}`, role: key.role, user: key.user ?? null };
  }

  /** Whether the key with this public prefix (`rpk_<id>` or an AWS access key id) still exists: a revoked key's sessions end. */
  holds(prefix: string): boolean {
    if (!this.watched || this.stale) this.reload();
    return this.byId.has(prefix.startsWith('rpk_') ? prefix.slice(4) : prefix);
  }

  /** Whether a prefix names a key (an API key or an AWS access key), rather than a password or key-pair sign-in. */
  static isKeyPrefix(prefix: string): boolean {
    return /^rpk_[0-9a-f]{12}$/.test(prefix) || AWS_KEY_ID_PATTERN.test(prefix);
  }

  get count(): number {
    this.reload();
    return this.keys.length;
  }

  /** Writes pending last-use times and stops the timer (the server calls this when closing). */
  flush(): void {
    if (this.usedTimer) clearTimeout(this.usedTimer);
    this.usedTimer = null;
    if (!this.usedDirty) return;
    this.usedDirty = false;
    writeFileAtomicSync(this.usedFile, JSON.stringify({ ...this.readUsed(), ...Object.fromEntries(this.used) }, null, 2) + '\n');
  }

  private noteUse(id: string, now: Date): void {
    this.used.set(id, now.toISOString());
    this.usedDirty = true;
    // At most one write every few seconds, however many requests arrive.
    this.usedTimer ??= setTimeout(() => this.flush(), 5000).unref();
  }

  /** The name a new key may take; `role` checked too. */
  private checkNew(role: string, keyName: string): string {
    if (!ROLE_PATTERN.test(role))
      throw invalid(`role '${role}' is not a valid role name (letters, digits, _ and $, starting with a letter or _)`);
    this.reload();
    if (!NAME_PATTERN.test(keyName))
      throw invalid(`key name '${keyName}' must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    if (this.keys.some((k) => k.name === keyName))
      throw new RecpipeError('CONFLICT', `an API key named '${keyName}' already exists; revoke it first or choose another --name`);
    return keyName;
  }

  private info(k: StoredKey, used: Record<string, string> = {}): ApiKeyInfo {
    return {
      name: k.name,
      prefix: k.kind === 'aws' ? k.id : `rpk_${k.id}`,
      role: k.role,
      user: k.user ?? null,
      createdAt: k.createdAt,
      lastUsedAt: this.used.get(k.id) ?? used[k.id] ?? null,
    };
  }

  /** Re-reads the key file when its size or modification time changed since the last read. */
  private reload(): void {
    // Cleared before the stat: a change reported while reading is read again next time.
    this.stale = false;
    let stamp = 'absent';
    try {
      const st = statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (stamp === this.loadedStamp) return;
    this.keys = stamp === 'absent' ? [] : parseKeyFile(this.file);
    this.byId = new Map(this.keys.map((k) => [k.id, k]));
    this.loadedStamp = stamp;
  }

  private readUsed(): Record<string, string> {
    if (!existsSync(this.usedFile)) return {};
    try {
      return JSON.parse(readFileSync(this.usedFile, 'utf8')) as Record<string, string>;
    } catch {
      // Only informational; a damaged file is rewritten at the next flush.
      return {};
    }
  }

  private write(keys: StoredKey[]): void {
    writeFileAtomicSync(this.file, JSON.stringify({ version: 1, keys } satisfies KeyFile, null, 2) + '\n');
    this.loadedStamp = '';
    this.reload();
  }
}

function parseKeyFile(file: string): StoredKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `${file} is not valid JSON (${(e as Error).message}); restore it or delete it and create keys again`,
    );
  }
  const keys = (parsed as Partial<KeyFile>)?.keys;
  if ((parsed as Partial<KeyFile>)?.version !== 1 || !Array.isArray(keys)) {
    throw new RecpipeError('FAILED_PRECONDITION', `${file} is not a recpipe API key file (version 1 with a "keys" array)`);
  }
  return keys;
}
