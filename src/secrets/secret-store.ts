import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecpipeError, invalid } from '../core/errors.js';
import { SECRET_ENV_PREFIX, loadSecretEnv } from '../config/index.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

/**
 * Credentials (API keys, warehouse passwords) kept outside code and committed config: a JSON file
 * `<home>/secrets.json` readable by its owner only, overridden per name by the environment
 * (RECPIPE_SECRET_<NAME>). Values never appear in errors or listings: messages name the secret
 * and the file, never the value or the file's content.
 */
export const SECRETS_FILE = 'secrets.json';
const NAME = /^[A-Z][A-Z0-9_]{0,127}$/;

/** Secret names are environment-variable friendly: letters, digits and '_', stored upper-case. */
export function checkSecretName(name: string): string {
  const upper = name.toUpperCase();
  if (!NAME.test(upper)) throw invalid(`secret name '${name}' is not valid: use a letter followed by letters, digits or '_' (at most 128)`);
  return upper;
}

export type SecretSource = 'environment' | 'file';

export class SecretStore {
  readonly file: string;

  constructor(
    home: string,
    private readonly env: ReadonlyMap<string, string> = loadSecretEnv(),
  ) {
    this.file = join(home, SECRETS_FILE);
  }

  /** Names of every secret, from the file and the environment (values are never listed). */
  list(): { name: string; source: SecretSource }[] {
    const fromFile = Object.keys(this.read());
    const names = [...new Set([...fromFile, ...this.env.keys()])].filter((n) => NAME.test(n)).sort();
    return names.map((name) => ({ name, source: this.env.has(name) ? 'environment' : 'file' }));
  }

  /** The secret's value (environment first), or undefined. */
  get(name: string): string | undefined {
    const key = checkSecretName(name);
    return this.env.get(key) ?? this.read()[key];
  }

  /** The secret's value; a missing secret is an error that says how to provide it. */
  resolve(name: string): string {
    const value = this.get(name);
    if (value === undefined) {
      const key = checkSecretName(name);
      throw new RecpipeError(
        'NOT_FOUND',
        `secret ${key} is not set: run 'recpipe secret set ${key}' or set ${SECRET_ENV_PREFIX}${key} in the environment`,
      );
    }
    return value;
  }

  /** Whether the environment overrides this name (a stored value is then not used). */
  overridden(name: string): boolean {
    return this.env.has(checkSecretName(name));
  }

  set(name: string, value: string): void {
    const key = checkSecretName(name);
    if (value === '') throw invalid(`secret ${key}: the value is empty; nothing was stored`);
    this.write({ ...this.read(), [key]: value });
  }

  /** Removes a stored secret; false when the file had none of that name. */
  delete(name: string): boolean {
    const key = checkSecretName(name);
    const all = this.read();
    if (!(key in all)) return false;
    delete all[key];
    this.write(all);
    return true;
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    checkPermissions(this.file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      // JSON.parse's message quotes the text: never repeat it, it holds secret values.
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `secret store ${this.file} is not valid JSON; fix it or remove it and set the secrets again`,
      );
    }
    const secrets = (parsed as { secrets?: unknown } | null)?.secrets;
    if (
      typeof secrets !== 'object' ||
      secrets === null ||
      Array.isArray(secrets) ||
      Object.values(secrets).some((v) => typeof v !== 'string')
    ) {
      throw new RecpipeError('FAILED_PRECONDITION', `secret store ${this.file} must hold {"version": 1, "secrets": {"NAME": "value", …}}`);
    }
    return { ...(secrets as Record<string, string>) };
  }

  private write(secrets: Record<string, string>): void {
    writeFileAtomicSync(this.file, JSON.stringify({ version: 1, secrets }, null, 2) + '\n');
  }
}

/** Refuses a store that others could read or that is not the user's own regular file. */
function checkPermissions(file: string): void {
  const st = lstatSync(file);
  if (!st.isFile()) throw new RecpipeError('PERMISSION_DENIED', `secret store ${file} must be a regular file (not a link or directory)`);
  if (process.platform === 'win32') return;
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `secret store ${file} has mode ${mode}: group or others may read it; run 'chmod 600 ${file}' (and consider rotating its secrets)`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new RecpipeError('PERMISSION_DENIED', `secret store ${file} belongs to uid ${st.uid}, not to this user (uid ${uid})`);
}

/** A secret's value for code that needs one (e.g. an API integration's api_key): environment, then `<home>/secrets.json`. */
export function resolveSecret(name: string, home: string): string {
  return new SecretStore(home).resolve(name);
}
