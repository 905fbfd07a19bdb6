import { RecpipeError } from '../../core/errors.js';
import { SECRET_ENV_PREFIX, loadConfig } from '../../config/index.js';
import { SecretStore, checkSecretName } from '../../secrets/index.js';

interface HomeOption {
  home?: string;
  createHome?: boolean;
}

const store = (o: HomeOption): SecretStore => new SecretStore(loadConfig({ home: o.home, createHome: o.createHome }).home);

/** `recpipe secret set NAME`: the value is read from stdin and never printed. */
export async function set(name: string, o: HomeOption): Promise<void> {
  const key = checkSecretName(name);
  const s = store(o);
  s.set(key, await readValue(key));
  process.stdout.write(`Stored secret ${key} in ${s.file}\n`);
  if (s.overridden(key))
    process.stderr.write(`note: ${SECRET_ENV_PREFIX}${key} is set in the environment and overrides the stored value\n`);
}

/** `recpipe secret list`: names and sources, never values. */
export function list(o: HomeOption): void {
  const all = store(o).list();
  process.stdout.write(all.length === 0 ? 'No secrets.\n' : all.map((s) => `${s.name}\t${s.source}\n`).join(''));
}

/** `recpipe secret delete NAME` */
export function remove(name: string, o: HomeOption): void {
  const key = checkSecretName(name);
  const s = store(o);
  if (!s.delete(key)) throw new RecpipeError('NOT_FOUND', `secret ${key} is not in ${s.file}`);
  process.stdout.write(`Deleted secret ${key}\n`);
}

/** The value from a pipe (one trailing newline dropped) or typed at a terminal without echo. */
async function readValue(name: string): Promise<string> {
  if (process.stdin.isTTY) return readHidden(`Value for ${name} (input hidden): `);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: RecpipeError): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new RecpipeError('FAILED_PRECONDITION', 'cancelled; no secret was stored'));
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}
