import { ApiKeyStore, awsSecretName, isAwsKeyPrefix } from '../../auth/index.js';
import { SecretStore } from '../../secrets/index.js';
import { invalid } from '../../core/errors.js';
import { loadConfig } from '../../config/index.js';
import { jsonText, print } from '../control.js';
import { alignTable, shortTime } from '../text-table.js';

interface HomeOptions {
  home?: string;
  createHome?: boolean;
}

const store = (o: HomeOptions): ApiKeyStore => {
  return new ApiKeyStore(loadConfig({ home: o.home, createHome: o.createHome }).home);
};

/** A plain (unquoted) Snowflake identifier, upper-cased as Snowflake reads it; anything else is refused. */
function plainName(text: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,254}$/.test(text))
    throw invalid(`${what} '${text}' must be a plain identifier (letters, digits, _ and $, starting with a letter or _)`);
  return text.toUpperCase();
}

/**
 * Makes sure `user` exists (created with default role `role` when missing) and holds `role`, through
 * the home's server when one runs, else in-process, acting as the home's owner.
 */
async function ensureKeyUser(home: string, user: string, role: string): Promise<void> {
  const { connect } = await import('../../client/index.js');
  const client = await connect({ home, session: { role: 'ACCOUNTADMIN' } });
  try {
    await client.execute(`create user if not exists ${user} default_role = ${role}; grant role ${role} to user ${user}`);
  } finally {
    await client.close();
  }
}

/**
 * API keys for the server's routes. Each key signs in as a user (made or reused with the key's role
 * as its default); keys live in `<home>/api-keys.json`, which a running server re-reads at its next request.
 */
/** `recpipe keys create` */
export async function create(o: HomeOptions & { role: string; name?: string; user?: string; aws?: boolean }): Promise<void> {
  // The key is what a new server's first caller needs, so `keys create` may start the home.
  const s = store({ ...o, createHome: true });
  const role = plainName(o.role, 'role');
  const user = plainName(o.user ?? `KEYS_${role}`, 'user');
  await ensureKeyUser(s.home, user, role);
  if (o.aws) {
    const secrets = new SecretStore(s.home, new Map());
    const { accessKeyId, secretAccessKey, info } = s.createAws(role, o.name, user, secrets);
    process.stderr.write(
      `Created AWS access key '${info.name}' (${accessKeyId}) for user ${user}, role ${info.role}; its secret is in ${secrets.file}. Copy it now: it is not shown again.\n`,
    );
    print(`aws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`);
    return;
  }
  const { key, info } = s.create(role, o.name, user);
  process.stderr.write(
    `Created API key '${info.name}' (${info.prefix}…) for user ${user}, role ${info.role}, in ${s.file}. Copy it now: it is not shown again.\n`,
  );
  print(key + '\n');
}

/** `recpipe keys list` */
export function list(o: HomeOptions & { json?: boolean }): void {
  const list = store(o).list();
  if (o.json) return print(jsonText(list));
  if (list.length === 0) return print('No API keys. Create one with: recpipe keys create --role SYSADMIN\n');
  print(
    alignTable(
      ['NAME', 'PREFIX', 'ROLE', 'USER', 'CREATED', 'LAST USED'],
      list.map((k) => [k.name, k.prefix, k.role, k.user ?? '-', shortTime(k.createdAt), shortTime(k.lastUsedAt)]),
    ),
  );
}

/** `recpipe keys revoke` */
export function revoke(name: string, o: HomeOptions): void {
  const s = store(o);
  const gone = s.revoke(name);
  if (isAwsKeyPrefix(gone.prefix)) new SecretStore(s.home, new Map()).delete(awsSecretName(gone.prefix));
  print(`Revoked API key '${gone.name}' (${gone.prefix}…, role ${gone.role})\n`);
}
