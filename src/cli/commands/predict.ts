import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { RecpipeError, invalid, isRecpipeError, notFound, type ErrorCode } from '../../core/errors.js';
// The parser module itself, not serving/index.js: predict must not load fastify.
import { csvField, parsePairsCsv } from '../../serving/pairs-csv.js';

interface PredictOptions {
  url: string;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description("Send a payload CSV of user,item lines to a model server's /invocations and print user,item,prediction")
    .argument('<file>', 'payload CSV: one user,item pair per line, header optional (the guide\'s payload.csv)')
    .option('--url <url>', 'base URL of a running recpipe serve-model', 'http://localhost:8080')
    .action((file: string, opts: PredictOptions) => predict(file, opts));
}

async function predict(file: string, o: PredictOptions): Promise<void> {
  const text = await readPayload(file);
  // Parsed here too, only to print each prediction beside its pair; the server parses the same text.
  const pairs = withSource(file, () => parsePairsCsv(text));
  const endpoint = invocationsUrl(o.url);
  const res = await post(endpoint, text);
  const body = await res.text();
  if (!res.ok) throw serverError(endpoint, res.status, body);
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

function invocationsUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw invalid(`--url ${JSON.stringify(base)} is not a URL (expected e.g. http://localhost:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`--url must be http:// or https://, got ${JSON.stringify(base)}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/invocations`;
}

async function post(endpoint: string, text: string): Promise<Response> {
  try {
    return await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: text });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `cannot reach a model server at ${endpoint} (${cause?.code ?? cause?.message ?? (e as Error).message}); start one with: recpipe serve-model --model DIR`,
    );
  }
}

const CODES: readonly ErrorCode[] = ['INVALID_ARGUMENT', 'NOT_FOUND', 'CONFLICT', 'FAILED_PRECONDITION', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'INTERNAL'];

/** The server's `{"error": {code, message}}` as a RecpipeError, so the CLI exits with the matching code. */
function serverError(endpoint: string, status: number, body: string): RecpipeError {
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
  } catch {
    error = undefined;
  }
  const code = CODES.find((c) => c === error?.code) ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  const message = typeof error?.message === 'string' ? error.message : body.slice(0, 200);
  return new RecpipeError(code, `${endpoint} answered ${status}: ${message}`, { status });
}
