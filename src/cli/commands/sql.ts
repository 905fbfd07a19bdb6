import { readFileSync } from 'node:fs';
import { invalid, notFound } from '../../core/errors.js';
import { homeFiles, loadApiKey } from '../../config/index.js';
import { connectionHome } from '../control.js';
import {
  connect,
  parseOutputFormat,
  runRepl,
  runScript,
  type OutputFormat,
  type SessionInit,
  type SqlClient,
  type TrainingJob,
} from '../../client/index.js';
import { InProcessSqlClient } from '../../client/in-process-sql-client.js';
import type { Engine } from '../../engine/index.js';
import { isTerminal } from '../../jobs/job.js';
import { jobPrinter } from './jobs.js';

/** Where a client's session starts, as snowsql's -r/-w/-d/-s set it. */
export interface SessionOptions {
  role?: string;
  warehouse?: string;
  database?: string;
  schema?: string;
}

interface SqlOptions extends SessionOptions {
  query?: string;
  file?: string;
  format: string;
  home?: string;
  createHome?: boolean;
  server?: string;
  key?: string;
}

export function sessionInit(o: SessionOptions): SessionInit {
  const { role, warehouse, database, schema } = o;
  return Object.fromEntries(Object.entries({ role, warehouse, database, schema }).filter(([, v]) => v !== undefined));
}

export async function sql(o: SqlOptions): Promise<void> {
  if (o.query !== undefined && o.file !== undefined) throw invalid('give either -q/--query or -f/--file, not both');
  const format = parseOutputFormat(o.format);
  const script = o.file === undefined ? o.query : readScript(o.file);
  const home = connectionHome(o);
  const client = await connect({ home, url: o.server, session: sessionInit(o), key: loadApiKey(o.key) });
  const inProcess = client instanceof InProcessSqlClient;
  process.stderr.write(client.description + (inProcess ? ' (training jobs started here are waited for before exit)' : '') + '\n');
  try {
    if (script !== undefined) await runScript(client, script, stdio(format), o.file);
    else await repl(client, format, homeFiles(home).sqlHistory);
  } finally {
    try {
      if (inProcess) await finishJobs(client.engine);
    } finally {
      await client.close();
    }
  }
}

/**
 * In-process, the jobs a script started run in this process, so exiting would stop them: wait for
 * them instead, printing their status changes on stderr (a server keeps jobs running in the background).
 */
async function finishJobs(engine: Engine): Promise<void> {
  const running = engine.jobs.list().filter((j) => !isTerminal(j.status));
  if (running.length === 0) return;
  const err = (t: string) => void process.stderr.write(t);
  err(
    `Waiting for ${running.length} training job(s) to finish before exiting (${running.map((j) => j.name).join(', ')}); ` +
      `Ctrl-C stops them. To keep jobs running after the client exits, start \`recpipe server\` for this home first.\n`,
  );
  const printers = new Map(running.map((j) => [j.name, jobPrinter((t) => err(`${j.name} ${t}`))]));
  const onStatus = (job: TrainingJob) => printers.get(job.name)?.update?.(job);
  const onProgress = (name: string) => printers.get(name)?.update?.(engine.jobs.get(name));
  engine.jobs.on('status', onStatus);
  engine.jobs.on('progress', onProgress);
  try {
    for (const j of running) onStatus(engine.jobs.get(j.name));
    const ended = await Promise.all(running.map((j) => engine.jobs.wait(j.name)));
    for (const j of ended) {
      err(
        `Training job ${j.name} ${j.status}${j.status === 'Completed' ? `; model artifact ${j.artifactUri}` : `: ${j.failureReason ?? j.stopReason ?? ''}`}\n`,
      );
      if (j.status !== 'Completed') process.exitCode = 1;
    }
  } finally {
    engine.jobs.off('status', onStatus);
    engine.jobs.off('progress', onProgress);
  }
}

async function repl(client: SqlClient, format: OutputFormat, historyFile: string): Promise<void> {
  const interactive = process.stdin.isTTY === true;
  const failures = await runRepl(client, {
    input: process.stdin,
    output: process.stdout,
    errors: process.stderr,
    format,
    interactive,
    historyFile,
  });
  // A piped script reports failure through its exit status; a person at the prompt already saw each error.
  if (!interactive && failures > 0) process.exitCode = 1;
}

function readScript(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw notFound(`cannot read SQL file ${file}: ${(e as Error).message}`, { file });
  }
}

const stdio = (format: OutputFormat) => ({
  format,
  out: (t: string) => void process.stdout.write(t),
  err: (t: string) => void process.stderr.write(t),
});
