import type { Command } from 'commander';
import { addHomeOptions } from './options.js';
import { lazy } from './lazy.js';

const keys = () => import('../commands/keys.js');

export function registerKeys(program: Command): void {
  const group = program
    .command('keys')
    .description('API keys that Snowflake (through its API gateway) presents to /ext/*: create, list, revoke');
  addHomeOptions(
    group
      .command('create')
      .description('Create a key tied to a role; the key is printed once and stored only as a salted hash')
      .requiredOption('--role <role>', 'the role whose USAGE grants decide which functions the key may call (e.g. SYSADMIN)')
      .option('--name <name>', 'a name to list and revoke the key by (default key-<id>)')
      .option('--user <name>', 'the user the key signs in as (default KEYS_<ROLE>); made with the role as its default when missing')
      .option('--aws', 'an AWS access key pair for SigV4 (AWS SDKs, boto3, the AWS CLI), printed in ~/.aws/credentials form'),
  ).action(lazy(keys, 'create'));
  addHomeOptions(
    group
      .command('list')
      .description('Every key: name, prefix, role, created, last used (never the key)')
      .option('--json', 'print the keys as JSON'),
  ).action(lazy(keys, 'list'));
  addHomeOptions(
    group.command('revoke').description('Delete a key (by name or prefix); requests with it get 401 from then on').argument('<name>'),
  ).action(lazy(keys, 'revoke'));
}
