import type { Command } from 'commander';
import { CREATE_HOME_OPTION } from '../../config/config.js';

/** Where a jobs/endpoints command finds its home and, optionally, the server to use. */
export function addControlOptions(command: Command): Command {
  return command
    .option('--home <dir>', 'data directory (default $RECPIPE_HOME or ./recpipe-data)')
    .option(...CREATE_HOME_OPTION)
    .option('--server <url>', 'use the recpipe server at this URL instead of finding one for the home')
    .option('--key <key>', 'API key for the server (default $RECPIPE_API_KEY, else the home owner token)');
}

/** The options every SQL-running command shares: home, server and the session's starting context. */
export function addConnectionOptions(command: Command): Command {
  return addControlOptions(command)
    .option('-r, --role <name>', 'starting role (default SYSADMIN)')
    .option('-w, --warehouse <name>', 'starting warehouse')
    .option('-d, --database <name>', 'starting database')
    .option('-s, --schema <name>', 'starting schema (default PUBLIC when a database is given)');
}

/** --home with --create-home, for commands that work on the home's files directly. */
export const addHomeOptions = (c: Command): Command =>
  c.option('--home <dir>', 'data directory (default $RECPIPE_HOME or ./recpipe-data)').option(...CREATE_HOME_OPTION);
