/**
 * The receiving side of Snowflake's external-function protocol (/ext/*), served by a child process
 * (`node dist/bench/ext.js serve <home>`: engine + service with a deployed tiny SVD endpoint) so
 * server and load generator get one core each of a 2-core machine.
 *   throughput: autocannon, one-row /ext/invoke batches (an API key on every request)
 *   latency:    a 2,048-row /ext/invoke batch (one DuckDB vector) over a keep-alive socket
 *   fuzz:       100,000 malformed requests (random JSON shapes, bad gzip, wrong types, bad headers)
 *               — every answer must be a 4xx with a message, the service must stay up, and no job
 *               or endpoint may appear.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writeTinyArtifact } from '../tests/support/tiny-model-fixture.js';
import { ApiKeyStore } from '../src/auth/index.js';
import { createRng, type Rng } from '../src/core/index.js';
import { Engine } from '../src/engine/index.js';
import { createService } from '../src/service/index.js';
import { autocannon } from './support/autocannon.js';
import { checked, median, percentile, printGoalTable, stopChild } from './support/stats.js';

const MODEL = 'movies';
const VECTOR = 2048;
const LATENCY_RUNS = 300;
const FUZZ_REQUESTS = 100_000;
const FUZZ_CONCURRENCY = 32;
const USERS = ['1', '2', '3', '7', '12', 'alice'];
const ITEMS = ['100', '104', '111', '120', 'The Matrix'];

interface Reply {
  status: number;
  body: string;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-'));
  const home = join(dir, 'home');
  let server: ChildProcess | undefined;
  try {
    const { manifest } = await writeTinyArtifact(join(dir, 'model'));
    const key = new ApiKeyStore(home).create('SYSADMIN', 'bench').key;
    server = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', home, manifest.uri], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await readUrl(server);
    const agent = new Agent({ keepAlive: true, maxSockets: FUZZ_CONCURRENCY });
    const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer | string) =>
      exchange(agent, url, method, path, headers, body);
    const auth = { 'content-type': 'application/json', 'x-api-key': key };
    const stateBefore = await state(send, key);

    const one = JSON.stringify({ data: [[0, MODEL, '1', '100']] });
    const warm = await send('POST', '/ext/invoke', auth, one);
    if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}: ${warm.body}`);
    await autocannon({ url: `${url}/ext/invoke`, method: 'POST', headers: auth, body: one, connections: 16, duration: 2 });
    const cannon = checked(
      await autocannon({ url: `${url}/ext/invoke`, method: 'POST', headers: auth, body: one, connections: 16, duration: 10 }),
    );

    const rows = Array.from({ length: VECTOR }, (_, r) => [r, MODEL, USERS[r % USERS.length], ITEMS[(r * 7) % ITEMS.length]]);
    const big = JSON.stringify({ data: rows });
    const times: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const t0 = performance.now();
      const res = await send('POST', '/ext/invoke', auth, big);
      times.push(performance.now() - t0);
      if (res.status !== 200 || (JSON.parse(res.body) as { data: unknown[] }).data.length !== VECTOR)
        throw new Error(`2,048-row batch answered ${res.status}`);
    }

    const fuzz = await runFuzz(send, key);
    const alive = await send('GET', '/api/v1/health', {});
    const stateAfter = await state(send, key);
    const unchanged = stateAfter === stateBefore;

    printGoalTable(
      [
        ['one-row batches/s (16 conns)', cannon.requests.average.toFixed(0), '≥ 5,000'],
        ['  latency p50 / p99 (ms)', `${cannon.latency.p50} / ${cannon.latency.p99}`, ''],
        ['2,048-row invoke batch p50 (ms)', median(times).toFixed(2), '≤ 5'],
        ['  p95 (ms), HTTP round trip', percentile(times, 95).toFixed(2), ''],
        ['fuzz requests', String(fuzz.total), '≥ 100,000'],
        ['  answered 4xx with a message', String(fuzz.good), String(fuzz.total)],
        ['  other answers', String(fuzz.bad.length), '0'],
        ['  fuzz requests/s', fuzz.rate.toFixed(0), ''],
        ['service alive after fuzz', alive.status === 200 ? 'yes' : `no (${alive.status})`, 'yes'],
        ['jobs & endpoints unchanged', unchanged ? 'yes' : 'no', 'yes'],
      ],
      [12, 10],
    );
    console.log(`fuzz answers by status: ${JSON.stringify(fuzz.byStatus)}`);
    for (const b of fuzz.bad.slice(0, 5)) console.log(`  unexpected: ${b}`);
    if (fuzz.bad.length > 0 || !unchanged || alive.status !== 200) process.exitCode = 1;
    agent.destroy();
  } finally {
    await stopChild(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

type Send = (method: string, path: string, headers: Record<string, string>, body?: Buffer | string) => Promise<Reply>;

/** The service's jobs and endpoints as one string, to compare before and after the fuzz. */
async function state(send: Send, key: string): Promise<string> {
  const jobs = await send('GET', '/api/v1/training-jobs', { 'x-api-key': key });
  const endpoints = await send('GET', '/api/v1/endpoints', { 'x-api-key': key });
  return `${jobs.body}\n${endpoints.body}`;
}

async function runFuzz(
  send: Send,
  key: string,
): Promise<{ total: number; good: number; bad: string[]; rate: number; byStatus: Record<number, number> }> {
  const rng = createRng(20261126);
  let next = 0;
  let good = 0;
  const bad: string[] = [];
  const byStatus: Record<number, number> = {};
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < FUZZ_REQUESTS) {
      next++;
      const m = malformed(rng, key);
      const res = await send(m.method, m.path, m.headers, m.body);
      byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
      let message: unknown;
      try {
        message = (JSON.parse(res.body) as { error?: { message?: unknown } }).error?.message;
      } catch {
        message = undefined;
      }
      if (res.status >= 400 && res.status < 500 && typeof message === 'string' && message.length > 0) good++;
      else if (bad.length < 100) bad.push(`${m.kind}: ${res.status} ${res.body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: FUZZ_CONCURRENCY }, worker));
  return { total: next, good, bad, rate: next / ((performance.now() - t0) / 1000), byStatus };
}

interface Malformed {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

const PATHS = ['/ext/train', '/ext/deploy', '/ext/invoke', '/ext/recommend'];
const ARITY: Record<string, readonly number[]> = { '/ext/train': [2, 3], '/ext/deploy': [2, 3], '/ext/invoke': [3], '/ext/recommend': [3] };

/** A random JSON value of any shape (depth-limited). */
function randomJson(rng: Rng, depth = 0): unknown {
  const pick = rng.int(depth > 2 ? 5 : 7);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return (rng.next() - 0.5) * 10 ** rng.int(12);
    case 3:
      return randomString(rng);
    case 4:
      return rng.int(3) === 0 ? Number.MAX_SAFE_INTEGER : -rng.int(1000);
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [randomString(rng), randomJson(rng, depth + 1)]));
  }
}

function randomString(rng: Rng): string {
  const alphabet = 'abcXYZ019 _.;\'"\\{}[]é\u0000\u2028';
  return Array.from({ length: rng.int(12) }, () => alphabet[rng.int(alphabet.length)]).join('');
}

/** A value no argument of any /ext function accepts: never a string (names), never a plain id. */
function wrongType(rng: Rng): unknown {
  const options: unknown[] = [true, false, { a: randomJson(rng) }, [randomJson(rng)], [], {}];
  return options[rng.int(options.length)];
}

/** One request that every /ext route must refuse with a 4xx: each kind breaks exactly one rule. */
function malformed(rng: Rng, key: string): Malformed {
  const path = PATHS[rng.int(PATHS.length)];
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': key };
  if (rng.next() < 0.3) headers['sf-external-function-query-batch-id'] = `fuzz-${rng.int(50)}`;
  if (rng.next() < 0.2) headers['sf-custom-async'] = 'true';
  const json = (kind: string, body: unknown): Malformed => ({ kind, method: 'POST', path, headers, body: JSON.stringify(body) });
  const rows = (n: number, arity: number) =>
    Array.from({ length: n }, (_, r) => [r, ...Array.from({ length: arity }, () => wrongType(rng))]);
  const arity = ARITY[path][rng.int(ARITY[path].length)];
  switch (rng.int(12)) {
    case 0: {
      const text = JSON.stringify({ data: rows(3, arity) });
      return { kind: 'truncated JSON', method: 'POST', path, headers, body: text.slice(0, rng.int(text.length - 1)) || '{' };
    }
    case 1:
      return {
        kind: 'random bytes',
        method: 'POST',
        path,
        headers,
        body: Buffer.from(Array.from({ length: 1 + rng.int(64) }, () => rng.int(256))).toString('latin1') + '\u0001',
      };
    case 2:
      return {
        kind: 'bad gzip',
        method: 'POST',
        path,
        headers: { ...headers, 'content-encoding': 'gzip' },
        body: rng.next() < 0.5 ? Buffer.from(randomString(rng) + 'x') : gzipSync(JSON.stringify({ data: [] })).subarray(0, 8 + rng.int(8)),
      };
    case 3: {
      const shapes: unknown[] = [null, 1, 'data', [[0, 'a']], true, randomJson(rng, 3)];
      return json('top level not an object', shapes[rng.int(shapes.length)]);
    }
    case 4:
      return json('no data field', { rows: randomJson(rng), [randomString(rng) + '_']: randomJson(rng) });
    case 5: {
      const notArrays: unknown[] = [null, 0, 'rows', {}, { 0: [0, 'a'] }, true];
      return json('data not an array', { data: notArrays[rng.int(notArrays.length)] });
    }
    case 6: {
      const data: unknown[] = rows(1 + rng.int(5), arity);
      const notRows: unknown[] = [null, 3, 'row', { row: 1 }, true];
      data[rng.int(data.length)] = notRows[rng.int(notRows.length)];
      return json('row not an array', { data });
    }
    case 7: {
      const data = rows(1 + rng.int(5), arity);
      const badNumbers: unknown[] = ['0', null, true, {}, [], 'NaN'];
      data[rng.int(data.length)][0] = badNumbers[rng.int(badNumbers.length)];
      return json('row number not a number', { data });
    }
    case 8: {
      const counts = [0, 1, 4, 5, 6].filter((n) => !ARITY[path].includes(n));
      return json('wrong argument count', { data: rows(1 + rng.int(5), counts[rng.int(counts.length)]) });
    }
    case 9:
      return json('wrong argument types', { data: rows(1 + rng.int(5), arity) });
    case 10: {
      const bad: Record<string, string>[] = [
        { 'content-encoding': 'br' },
        { 'sf-external-function-format': 'avro' },
        { 'sf-external-function-format-version': '9' },
      ];
      return { ...json('bad protocol header', { data: rows(1, arity) }), headers: { ...headers, ...bad[rng.int(bad.length)] } };
    }
    default: {
      const keys = [
        undefined,
        'rpk_000000000000_' + 'A'.repeat(43),
        key.slice(0, -1),
        randomString(rng).replace(/[^\x21-\x7e]/g, 'x') || 'x',
      ];
      const k = keys[rng.int(keys.length)];
      const { 'x-api-key': _, ...rest } = headers;
      return {
        ...json('missing or wrong API key', { data: rows(1, arity) }),
        headers: k === undefined ? rest : { ...rest, 'x-api-key': k },
      };
    }
  }
}

function exchange(
  agent: Agent,
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function readUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      const line = text.split('\n').find((l) => l.startsWith('http'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
  });
}

/** Serve mode: the engine and the whole service, with endpoint `movies` serving the given artifact. */
async function serve(home: string, artifact: string): Promise<void> {
  const engine = await Engine.open({ home });
  engine.endpoints.deploy(MODEL, artifact);
  await engine.endpoints.waitFor(MODEL, 'InService');
  const app = await createService(engine, { home });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  process.stdout.write(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  process.once('SIGTERM', () => void app.close().then(() => engine.close()));
}

if (process.argv[2] === 'serve') await serve(process.argv[3], process.argv[4]);
else await main();
