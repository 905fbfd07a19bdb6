/**
 * External-function call benchmark: invoke_model(name, user, item) created as an EXTERNAL FUNCTION
 * (overriding the built-in) and `select sum(invoke_model(…))` over 1M rows, against two services in
 * child processes over loopback:
 *   - the protocol stand-in (src/external/protocol-test-server.ts, a computed score per row), which
 *     isolates the calling side's cost;
 *   - a second recpipe process (`node dist/bench/external-call.js serve <home> <artifact>`: engine +
 *     service, tiny SVD deployed) answering at /ext/invoke with an API key.
 * Each 2,048-row DuckDB vector becomes one protocol batch (or MAX_BATCH_ROWS-sized ones) sent by the
 * bridge's worker thread while the warehouse thread waits. Prints recpipe's figures beside the goal.
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
import { median, printGoalTable, stopChild } from './support/stats.js';

const ROWS = 1_000_000;
const RUNS = 3;

function portOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`a service child exited with ${code} before listening`)));
  });
}

async function startService(): Promise<{ child: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL('../src/external/protocol-test-server.js', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { child, url: `http://127.0.0.1:${await portOf(child)}` };
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
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'serve', home, manifest.uri], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { child, url: `http://127.0.0.1:${await portOf(child)}`, key };
}

/** Median time of `select sum(invoke_model(…))` over the pairs table, checking the row count. */
async function measure(engine: Engine, s: Session, label: string, model: string): Promise<[string, string, string]> {
  const times: number[] = [];
  let total = 0;
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    const [r] = await engine.execute(s, `select sum(invoke_model('${model}', u, i)) as total, count(*) as n from pairs`);
    times.push(performance.now() - t0);
    total = Number(r.rows[0][0]);
    if (Number(r.rows[0][1]) !== ROWS) throw new Error(`expected ${ROWS} rows, got ${String(r.rows[0][1])}`);
  }
  const ms = median(times);
  console.log(`${label}: runs ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s; checksum ${total.toFixed(1)}`);
  return [`1M rows, ${label}`, `${(ms / 1000).toFixed(2)} s (${((ROWS / ms) * 1000 / 1e6).toFixed(2)}M rows/s)`, '≤ 3 s'];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-'));
  const standIn = await startService();
  const recpipe = await startRecpipe(dir);
  const engine = await Engine.open({ home: join(dir, 'warehouse-home') });
  try {
    const s = engine.createSession({ role: 'ACCOUNTADMIN' });
    await engine.execute(s, `create database bench; create table pairs as select (i % 12) + 1 as u, (i % 30) + 100 as i from range(${ROWS}) r(i)`);
    for (const [name, url, key] of [['standin', standIn.url, null], ['recpipe', recpipe.url, recpipe.key]] as const) {
      await engine.execute(s, `create api integration ${name} api_provider = aws_api_gateway api_aws_role_arn = 'arn:aws:iam::123456789012:role/bench'
        ${key ? `api_key = '${key}'` : ''} enabled = true api_allowed_prefixes = ('${url}/')`);
    }
    const rows: [string, string, string][] = [];
    for (const [label, integration, path, options] of [
      ['stand-in, gzip, 2,048-row', 'standin', '/score', 'compression = gzip'],
      ['stand-in, no compression', 'standin', '/score', 'compression = none'],
      ['stand-in, 500-row batches', 'standin', '/score', 'compression = none max_batch_rows = 500'],
      ['recpipe /ext/invoke, gzip', 'recpipe', '/ext/invoke', 'compression = gzip'],
      ['recpipe /ext/invoke, none', 'recpipe', '/ext/invoke', 'compression = none'],
    ] as const) {
      const url = (integration === 'standin' ? standIn.url : recpipe.url) + path;
      await engine.execute(s, `create or replace external function invoke_model(name varchar, u number, i number) returns variant
        api_integration = ${integration} ${options} as '${url}'`);
      rows.push(await measure(engine, s, label, 'movies'));
    }
    console.log(`\ninvoke_model as an external function over loopback (${ROWS.toLocaleString()} rows, median of ${RUNS})`);
    printGoalTable(rows, [28, 8]);
  } finally {
    await engine.close();
    await stopChild(standIn.child);
    await stopChild(recpipe.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3], process.argv[4]);
else await main();
