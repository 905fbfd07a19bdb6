import { appendFileSync, chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { OutputFormat } from './format-results.js';
import { runScript, type ScriptOutput } from './run-script.js';
import type { SessionContext, SqlClient } from './sql-client.js';
import { endsStatement } from './sql-text.js';

export interface ReplOptions {
  input: Readable;
  output: Writable;
  errors: Writable;
  format: OutputFormat;
  /** Prompts and line editing only when a person types (stdin is a terminal). */
  interactive: boolean;
  /** Where typed statements are remembered between runs, one per line (piped scripts are not recorded). */
  historyFile: string;
}

const HISTORY_KEPT = 1000;
const QUIT = new Set(['!exit', '!quit', 'exit', 'quit']);

/** The worksheet's own commands, as snowsql spells them; each is one line, without `;`. */
const COMMANDS: readonly (readonly [string, string])[] = [
  ['!help', 'list these commands'],
  ['!source FILE', 'run the statements in FILE in this session (also !load)'],
  ['!exit, !quit', 'end the worksheet (also exit, quit, Ctrl-D)'],
];

export const REPL_HELP = `Worksheet commands:\n${COMMANDS.map(([c, what]) => `  ${c.padEnd(14)}${what}`).join('\n')}\nAnything else is SQL, run when a line ends with ;\n`;

/** The worksheet context as a prompt: `SYSADMIN@MOVIELENS.PUBLIC> `. */
export function promptFor(s: SessionContext): string {
  const place = s.database === null ? '(no database)' : s.schema === null ? s.database : `${s.database}.${s.schema}`;
  return `${s.role}@${place}> `;
}

/**
 * Reads statements line by line until a `;` ends one, runs it, prints its results and goes on; a failed
 * statement is reported and the session continues. Resolves with the number of failed statements.
 */
export async function runRepl(client: SqlClient, o: ReplOptions): Promise<number> {
  const rl = createInterface({
    input: o.input,
    output: o.output,
    terminal: o.interactive,
    history: o.interactive ? loadHistory(o.historyFile) : [],
    historySize: HISTORY_KEPT,
    removeHistoryDuplicates: true,
  });
  let buffer = '';
  let failures = 0;
  const prompt = () => {
    if (!o.interactive) return;
    const main = promptFor(client.session);
    rl.setPrompt(buffer === '' ? main : '-> '.padStart(main.length));
    rl.prompt();
  };
  rl.on('SIGINT', () => {
    if (buffer === '') return rl.close();
    buffer = '';
    o.output.write('^C\n');
    prompt();
  });
  prompt();
  for await (const line of rl) {
    if (buffer === '' && QUIT.has(line.trim().toLowerCase())) break;
    if (buffer === '' && line.trimStart().startsWith('!')) {
      if (!(await runCommand(client, line.trim(), o))) failures++;
      prompt();
      continue;
    }
    buffer += (buffer === '' ? '' : '\n') + line;
    if (endsStatement(buffer)) {
      const script = buffer;
      buffer = '';
      if (o.interactive) saveHistory(o.historyFile, script);
      try {
        await runScript(client, script, scriptOutput(o));
      } catch (e) {
        failures++;
        o.errors.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    } else if (buffer.trim() === '') {
      buffer = '';
    }
    prompt();
  }
  rl.close();
  return failures;
}

function scriptOutput(o: ReplOptions): ScriptOutput {
  return { format: o.format, out: (t) => o.output.write(t), err: (t) => o.errors.write(t) };
}

/** Runs a `!` command; false when it failed (the failure is reported on the error stream). */
async function runCommand(client: SqlClient, line: string, o: ReplOptions): Promise<boolean> {
  const [name = '', ...rest] = line.split(/\s+/);
  const arg = rest.join(' ').replace(/;$/, '').trim();
  try {
    switch (name.toLowerCase()) {
      case '!help':
        o.output.write(REPL_HELP);
        return true;
      case '!source':
      case '!load': {
        if (arg === '') throw new Error(`${name} needs a file: ${name} FILE`);
        const file = resolve(arg.replace(/^~(?=$|\/)/, homedir()));
        await runScript(client, readFileSync(file, 'utf8'), scriptOutput(o), file);
        return true;
      }
      default:
        throw new Error(`unknown command ${name}; type !help for the list`);
    }
  } catch (e) {
    o.errors.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return false;
  }
}

/** readline wants the newest entry first. */
function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_KEPT).reverse();
  } catch {
    return [];
  }
}

/** `api_key = '…'`, `password = '…'`, `secret = …` (and names containing them) with their values. */
const SECRET_SETTING =
  /\b([A-Za-z_]*(?:api_key|password|secret|token)[A-Za-z_]*)(\s*=\s*)('(?:[^'\\]|\\.|'')*'|\$\$[\s\S]*?\$\$|"(?:[^"]|"")*"|[^\s,;)]+)/gi;

/** The statement as history keeps it: secret values replaced, so the file never holds a credential. */
export function redactSecrets(script: string): string {
  return script.replace(SECRET_SETTING, (_m, name: string, eq: string) => `${name}${eq}'***'`);
}

/** Best effort: a read-only home must not stop anyone from running SQL. Owner-only, secrets redacted. */
function saveHistory(file: string, script: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(
      file,
      redactSecrets(script)
        .replace(/\s*\n\s*/g, ' ')
        .trim() + '\n',
      { mode: 0o600 },
    );
    chmodSync(file, 0o600);
  } catch {
    // History is a convenience; losing an entry is harmless.
  }
}
