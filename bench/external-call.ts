/**
 * External-function call benchmark: invoke_model(name, user, item) created as an EXTERNAL FUNCTION
 * (overriding the built-in) and `select sum(invoke_model(…))` over 1M rows, against two services in
 * child processes over loopback:
 *   - the protocol stand-in (tests/support/protocol-test-server.ts, a computed score per row), which
 *     isolates the calling side's cost;
 *   - a second recpipe process (`node dist/bench/external-call.js serve <home> <artifact>`: engine +
 *     service, tiny SVD deployed) answering at /ext/invoke with an API key.
 * The statement runs twice: a first pass collects the distinct argument tuples the function is
 * called with (60 in `pairs`, 1M in `distinct_pairs`), which are sent asynchronously in 2,048-row batches (or MAX_BATCH_ROWS-sized ones), then the statement runs
 * with the answers. The warehouse process serves HTTP meanwhile: its health route is timed while a
 * slow remote (3 s per batch) answers and during a 1M-row run. Prints recpipe's figures beside the goals.
 * The children inherit node's flags, so `node --cpu-prof dist/bench/external-call.js` profiles both sides.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinyArtifact } from '../tests/support/tiny-model-fixture.js';
import { ApiKeyStore } from '../src/auth/index.js';
import { Engine, type Session } from '../src/engine/index.js';
import { createService } from '../src/service/index.js';
import { startStandIn } from '../tests/support/protocol-stand-in.js';
import { median, printGoalTable, stopChild } from './support/stats.js';

const ROWS = 1_000_000;
const RUNS = 3;

function portOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`a service child exited with ${code} before listening`)));
  });
}

/** Serve mode: a second recpipe process (engine + service) with the tiny model deployed as endpoint `movies`. */
async function serve(home: string, artifact: string): Promise<void> {
  const engine = await Engine.open({ home });
  engine.endpoints.deploy('movies', artifact);
  await engine.endpoints.waitFor('movies', 'InService');
  const app = await createService(engine, { home });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  process.once('SIGTERM', () => void app.close().then(() => engine.close()));
}

async function startRecpipe(dir: string): Promise<{ child: ChildProcess; url: string; key: string }> {
  const home = join(dir, 'service-home');
  const { manifest } = await writeTinyArtifact(join(dir, 'model'));
  const key = new ApiKeyStore(home).create('SYSADMIN', 'bench').key;
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'serve', home, manifest.uri], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, url: `http://127.0.0.1:${await portOf(child)}`, key };
}

/** Median time of `select sum(invoke_model(…))` over the pairs table, checking the row count. */
async function measure(engine: Engine, s: Session, label: string, model: string, table = 'pairs'): Promise<[string, string, string]> {
  const times: number[] = [];
  let total = 0;
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    const [r] = await engine.execute(s, `select sum(invoke_model('${model}', u, i)) as total, count(*) as n from ${table}`);
    times.push(performance.now() - t0);
    total = Number(r.rows[0][0]);
    if (Number(r.rows[0][1]) !== ROWS) throw new Error(`expected ${ROWS} rows, got ${String(r.rows[0][1])}`);
  }
  const ms = median(times);
  console.log(`${label}: runs ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s; checksum ${total.toFixed(1)}`);
  return [`1M rows, ${label}`, `${(ms / 1000).toFixed(2)} s (${(((ROWS / ms) * 1000) / 1e6).toFixed(2)}M rows/s)`, '≤ 3 s'];
}

/** Times GET /api/v1/health every 20 ms until `work` settles; returns the latencies (ms). */
async function healthDuring(url: string, work: Promise<unknown>): Promise<number[]> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => undefined);
  const latencies: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/health`);
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  await work;
  return latencies;
}

const latencyText = (xs: readonly number[]): string =>
  `max ${Math.max(...xs).toFixed(0)} ms, p50 ${median(xs).toFixed(1)} ms (${xs.length} probes)`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-'));
  const standIn = await startStandIn(['--quiet']);
  const recpipe = await startRecpipe(dir);
  const engine = await Engine.open({ home: join(dir, 'warehouse-home') });
  try {
    const s = engine.createSession({ role: 'ACCOUNTADMIN' });
    await engine.execute(
      s,
      `create database bench; create table pairs as select (i % 12) + 1 as u, (i % 30) + 100 as i from range(${ROWS}) r(i);
      create table distinct_pairs as select (i % 1000) + 1 as u, floor(i / 1000)::int + 100 as i from range(${ROWS}) r(i)`,
    );
    for (const [name, url, key] of [
      ['standin', standIn.url, null],
      ['recpipe', recpipe.url, recpipe.key],
    ] as const) {
      await engine.execute(
        s,
        `create api integration ${name} api_provider = aws_api_gateway api_aws_role_arn = 'arn:aws:iam::123456789012:role/bench'
        ${key ? `api_key = '${key}'` : ''} enabled = true api_allowed_prefixes = ('${url}/')`,
      );
    }
    const rows: [string, string, string][] = [];
    const service = await createService(engine, { home: join(dir, 'warehouse-home') });
    await service.listen({ host: '127.0.0.1', port: 0 });
    const ownUrl = `http://127.0.0.1:${(service.server.address() as { port: number }).port}`;
    await engine.execute(
      s,
      `create or replace external function slow_sum(a number) returns variant api_integration = standin headers = ('delay-ms' = '3000') as '${standIn.url}/sum'`,
    );
    const t0 = performance.now();
    const slow = await healthDuring(ownUrl, engine.execute(s, 'select slow_sum(x) from range(10) r(x)'));
    console.log(`health while a 3 s remote answers (statement ${((performance.now() - t0) / 1000).toFixed(2)} s): ${latencyText(slow)}`);
    rows.push(['health route, 3 s remote call', latencyText(slow), '< 100 ms']);
    for (const [label, integration, path, options] of [
      ['stand-in, gzip, 2,048-row', 'standin', '/score', 'compression = gzip'],
      ['stand-in, no compression', 'standin', '/score', 'compression = none'],
      ['stand-in, 500-row batches', 'standin', '/score', 'compression = none max_batch_rows = 500'],
      ['recpipe /ext/invoke, gzip', 'recpipe', '/ext/invoke', 'compression = gzip'],
      ['recpipe /ext/invoke, none', 'recpipe', '/ext/invoke', 'compression = none'],
    ] as const) {
      const url = (integration === 'standin' ? standIn.url : recpipe.url) + path;
      await engine.execute(
        s,
        `create or replace external function invoke_model(name varchar, u number, i number) returns variant
        api_integration = ${integration} ${options} as '${url}'`,
      );
      rows.push(await measure(engine, s, label, 'movies'));
      if (label.startsWith('stand-in, gzip')) {
        rows.push(await measure(engine, s, `${label}, 1M distinct tuples`, 'movies', 'distinct_pairs'));
        const during = await healthDuring(ownUrl, measure(engine, s, label, 'movies'));
        console.log(`health during the 1M-row runs: ${latencyText(during)}`);
        rows.push(['health route, 1M-row runs', latencyText(during), '< 100 ms']);
      }
    }
    await service.close();
    console.log(`\ninvoke_model as an external function over loopback (${ROWS.toLocaleString()} rows, median of ${RUNS})`);
    printGoalTable(rows, [28, 8]);
  } finally {
    await engine.close();
    await standIn.stop();
    await stopChild(recpipe.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3], process.argv[4]);
else await main();
