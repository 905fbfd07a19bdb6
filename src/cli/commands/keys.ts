import type { Command } from 'commander';
import { ApiKeyStore } from '../../auth/index.js';
import { loadConfig } from '../../config/index.js';
import { jsonText, print } from '../control.js';
import { alignTable, shortTime } from '../text-table.js';

interface HomeOptions {
  home?: string;
}

const store = (o: HomeOptions): ApiKeyStore => {
  return new ApiKeyStore(loadConfig({ home: o.home }).home);
};

const withHome = (c: Command): Command => c.option('--home <dir>', 'data directory (default $RECPIPE_HOME or ./recpipe-data)');

/**
 * API keys for the external-function routes (/ext/*). They work on `<home>/api-keys.json` directly,
 * with or without a running server (which picks changes up at its next request).
 */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys that Snowflake (through its API gateway) presents to /ext/*: create, list, revoke');
  withHome(
    keys
      .command('create')
      .description('Create a key tied to a role; the key is printed once and stored only as a salted hash')
      .requiredOption('--role <role>', 'the role whose USAGE grants decide which functions the key may call (e.g. SYSADMIN)')
      .option('--name <name>', 'a name to list and revoke the key by (default key-<id>)'),
  ).action((o: HomeOptions & { role: string; name?: string }) => {
    const s = store(o);
    const { key, info } = s.create(o.role, o.name);
    process.stderr.write(`Created API key '${info.name}' (${info.prefix}…) for role ${info.role} in ${s.file}. Copy it now: it is not shown again.\n`);
    print(key + '\n');
  });
  withHome(keys.command('list').description('Every key: name, prefix, role, created, last used (never the key)').option('--json', 'print the keys as JSON')).action(
    (o: HomeOptions & { json?: boolean }) => {
      const list = store(o).list();
      if (o.json) return print(jsonText(list));
      if (list.length === 0) return print('No API keys. Create one with: recpipe keys create --role SYSADMIN\n');
      print(alignTable(['NAME', 'PREFIX', 'ROLE', 'CREATED', 'LAST USED'], list.map((k) => [k.name, k.prefix, k.role, shortTime(k.createdAt), shortTime(k.lastUsedAt)])));
    },
  );
  withHome(keys.command('revoke').description('Delete a key (by name or prefix); requests with it get 401 from then on').argument('<name>')).action((name: string, o: HomeOptions) => {
    const gone = store(o).revoke(name);
    print(`Revoked API key '${gone.name}' (${gone.prefix}…, role ${gone.role})\n`);
  });
}
