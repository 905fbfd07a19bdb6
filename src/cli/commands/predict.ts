import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { RecpipeError, invalid, isRecpipeError, notFound } from '../../core/errors.js';
import { requestText } from '../../client/http-json.js';
// The parser module itself, not serving/index.js: predict must not load fastify.
import { csvField, parsePairsCsv } from '../../serving/pairs-csv.js';

interface PredictOptions {
  url: string;
  endpoint?: string;
  home?: string;
  server?: string;
  key?: string;
}

/** Where the payload goes and what to say when nothing answers there. */
interface Target {
  readonly url: string;
  readonly what: string;
  readonly howToStart: string;
  /** Endpoints of a recpipe server need a credential; serve-model's container contract has none. */
  readonly key?: string;
}

export async function predict(file: string, o: PredictOptions, cmd: Command): Promise<void> {
  const target = await targetOf(o, cmd);
  const text = await readPayload(file);
  // Parsed here too, only to print each prediction beside its pair; the server parses the same text.
  const pairs = withSource(file, () => parsePairsCsv(text));
  const endpoint = target.url;
  const body = await requestText(endpoint, 'POST', '', {
    text: { contentType: 'text/csv', data: text },
    unreachable: { what: target.what, hint: target.howToStart },
    key: target.key,
  });
  const predictions = body.split('\n');
  if (predictions[predictions.length - 1] === '') predictions.pop();
  if (predictions.length !== pairs.users.length) {
    throw new RecpipeError('INTERNAL', `${endpoint} answered ${predictions.length} predictions for ${pairs.users.length} pairs`);
  }
  const out = ['user,item,prediction'];
  for (let k = 0; k < predictions.length; k++) {
    out.push(`${csvField(String(pairs.users[k]).trim())},${csvField(String(pairs.items[k]).trim())},${predictions[k].trim()}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

async function readPayload(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`payload file ${file} not found`, { file });
    throw e;
  }
}

function withSource<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isRecpipeError(e)) throw new RecpipeError(e.code, `${file}: ${e.message}`, { ...e.details, file });
    throw e;
  }
}

async function targetOf(o: PredictOptions, cmd: Command): Promise<Target> {
  if (o.endpoint === undefined) {
    if (o.home !== undefined || o.server !== undefined)
      throw invalid('--home and --server go with --endpoint NAME; a serve-model server is named by --url');
    return { url: invocationsUrl(o.url), what: 'a model server', howToStart: 'start one with: recpipe serve-model --model DIR' };
  }
  if (cmd.getOptionValueSource('url') === 'cli')
    throw invalid(
      "give either --url (a serve-model server) or --endpoint NAME (an endpoint of the home's recpipe server, named by --server), not both",
    );
  const base = o.server ?? (await homeServer(o.home));
  return {
    key: await endpointKey(o),
    url: invocationsUrl(`${base.replace(/\/+$/, '')}/endpoints/${encodeURIComponent(o.endpoint)}`, '--server'),
    what: 'the recpipe server',
    howToStart: `start one with: recpipe server${o.home === undefined ? '' : ` --home ${o.home}`}`,
  };
}

async function endpointKey(o: PredictOptions): Promise<string | undefined> {
  const [{ loadApiKey, loadConfig }, { clientKey }] = await Promise.all([
    import('../../config/index.js'),
    import('../../client/connect.js'),
  ]);
  return clientKey(loadConfig({ home: o.home, createHome: true }).home, loadApiKey(o.key));
}

/** The URL of the server that owns the home; endpoints answer only there (they live in its memory). */
async function homeServer(homeFlag: string | undefined): Promise<string> {
  // Imported here: the --url mode needs neither the config nor the client.
  const [{ loadConfig }, { findServer }] = await Promise.all([import('../../config/index.js'), import('../../client/connect.js')]);
  // predict only reads a home (its server file and owner token) and never makes one: a missing home is reported as no server.
  const { home } = loadConfig({ home: homeFlag, createHome: true });
  const server = await findServer(home);
  if (server === null) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `no recpipe server is running for ${home}; endpoints answer only there. Start one with: recpipe server --home ${home}`,
      { home },
    );
  }
  return server.url;
}

function invocationsUrl(base: string, flag = '--url'): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw invalid(`${flag} ${JSON.stringify(base)} is not a URL (expected e.g. http://localhost:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(`${flag} must be http:// or https://, got ${JSON.stringify(base)}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/invocations`;
}
