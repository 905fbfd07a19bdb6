/**
 * Endpoints benchmark: an SVD (Surprise defaults, 100 factors) fitted on ml-latest-small (or a
 * synthetic MovieLens-shaped sample when the data is absent), deployed as an endpoint.
 *   in process: invokeBatch over 1M rows (what invoke_model does per 2,048-row DuckDB vector)
 *   over HTTP:  this file re-run as `serve <home>` in a child process (endpoint manager + routes on
 *               fastify); autocannon and an open-loop pacer from this process, so server and load
 *               generator get one core each of a 2-core machine.
 * Prints recpipe's figures beside the goals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Predictor, buildTrainset, clip, createRng, estimate, svd, type Dataset } from '../src/core/index.js';
import { writeArtifact } from '../src/artifacts/index.js';
import { syntheticMovieLens } from '../src/datasets/synthetic.js';
import { EndpointManager, registerEndpointRoutes } from '../src/endpoints/index.js';
import { loadKernels } from '../src/kernels/index.js';
import { hasSharedData, mlSmall } from '../tests/support/shared-data.js';
import { autocannon } from './support/autocannon.js';
import { pacedCsv, post, type PacedAnswer } from './support/paced.js';
import { checked, httpLoadRows, median, percentile, printGoalTable, stopChild } from './support/stats.js';
import { ratingsFromText } from '../tests/support/ratings-text.js';
import { readRatingsFile } from '../src/datasets/index.js';

const NAME = 'movielens-model-v1';
const ROWS = 1_000_000;
const VECTOR = 2048;
const CONNECTIONS = 10;
const SECONDS = 10;
const BATCH_LINES = 10_000;
const BATCH_REPEATS = 30;
const UPDATE_RATE = 1000;
const UPDATE_SECONDS = 6;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-'));
  let server: ChildProcess | undefined;
  try {
    const { data, source } = await ratings();
    const t0 = performance.now();
    const v1 = await trainAndWrite(data, source, join(dir, 'model-v1'), 0);
    const v2 = await trainAndWrite(data, source, join(dir, 'model-v2'), 1);
    const trainSeconds = (performance.now() - t0) / 1000;
    const home = join(dir, 'home');

    const manager = await EndpointManager.open({ home });
    const deployT0 = performance.now();
    manager.deploy(NAME, v1.uri);
    await manager.waitFor(NAME, 'InService', 60_000);
    const deployMs = performance.now() - deployT0;
    const batch = invokeBatchFigures(manager, v1.predictor);
    const recommendMs = medianOf(50, () => manager.recommend(NAME, 1, 10));
    await manager.close();

    const started = await startServer(home);
    server = started.child;
    const { url } = started;
    await checkAnswers(url, v1.predictor);
    const single = {
      url: `${url}/endpoints/${NAME}/invocations`,
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: '1,308\n',
      connections: CONNECTIONS,
    };
    await autocannon({ ...single, duration: 2 }); // warm-up: JIT, connection set-up
    const max = checked(await autocannon({ ...single, duration: SECONDS }));
    const bursty = checked(await autocannon({ ...single, duration: SECONDS, overallRate: 1000 }));
    const even = await pacedCsv(single.url, '1,308\n', 1000, SECONDS);
    const evenFailed = even.answers.filter((a) => a.status !== 200);
    if (evenFailed.length > 0)
      throw new Error(`${evenFailed.length} paced requests failed, e.g. ${evenFailed[0].status} ${evenFailed[0].text}`);
    const batchTimes = await batchLatencies(single.url, v1.predictor);
    const update = await updateUnderLoad(url, v1.predictor, v2);

    const fmt = (x: number, d = 2) => x.toFixed(d);
    const m = v1.predictor.model;
    const rows: [string, string, string][] = [
      ['deploy → InService, in process (ms)', fmt(deployMs, 1), ''],
      ['  reload after restart → ping 200, child process (ms)', fmt(started.readyMs, 1), ''],
      [`invokeBatch, 1M rows, numeric ids, ${VECTOR}-row vectors (ms)`, fmt(batch.numbers), '≤ 1,000 (via SQL)'],
      ['invokeBatch, 1M rows, numeric ids, one call (ms)', fmt(batch.numbersOneCall), ''],
      [`invokeBatch, 1M rows, string ids '610' (ms)`, fmt(batch.strings), '≤ 1,000 (via SQL)'],
      [`invokeBatch, 1M rows, FLOAT-as-VARCHAR ids '610.0' (ms)`, fmt(batch.floatStrings), '≤ 1,000 (via SQL)'],
      ['  reference: Predictor.predict loop, 1M string ids (ms)', fmt(batch.predictorLoop), ''],
      ['  floor: core estimate + clip on inner ids, no id lookup (ms)', fmt(batch.estimateOnly), ''],
      ['recommend top-10 for a known user, median (ms)', fmt(recommendMs, 3), ''],
      ...httpLoadRows('HTTP single-pair CSV', max, bursty, even, batchTimes, BATCH_LINES),
      [`update v1 → v2 under ${UPDATE_RATE.toLocaleString('en-US')} req/s: failed requests`, String(update.failed), '0'],
      ['  requests answered by v1 / by v2 / by neither', `${update.old} / ${update.new} / ${update.neither}`, ''],
      ['  deploy call → first v2 answer (ms)', fmt(update.switchMs, 1), ''],
      ['  v1 answers to requests sent after the first v2 answer', String(update.oldAfterSwitch), '0'],
      ['  latency p99 during the update (ms)', fmt(update.p99), ''],
    ];
    console.log(
      `\nrecpipe endpoints on ${source}: SVD, ${m.nFactors} factors, ${m.userIds.length} users, ${m.itemIds.length} items (two fits, seeds 0 and 1: ${fmt(trainSeconds, 1)} s)\n` +
        `invokeBatch: random known (user, item) pairs, median of 5 runs. HTTP: POST /endpoints/${NAME}/invocations, body "1,308\\n", ` +
        `autocannon ${CONNECTIONS} keep-alive connections, ${SECONDS} s per run; "evenly paced" and the update run send on a 1 ms schedule ` +
        `over a keep-alive pool whatever the answers (open loop).\n`,
    );
    printGoalTable(rows, [16, 18]);
  } finally {
    await stopChild(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function ratings(): Promise<{ data: Dataset; source: string }> {
  if (hasSharedData) return { data: (await readRatingsFile(mlSmall('ratings.csv'))).dataset, source: 'ml-latest-small' };
  const csv = syntheticMovieLens(610, 9_000, 165).ratingsCsv;
  return {
    data: ratingsFromText(csv, { source: 'synthetic' }).dataset,
    source: 'a synthetic MovieLens-shaped sample (ml-latest-small not found)',
  };
}

async function trainAndWrite(data: Dataset, source: string, dir: string, seed: number): Promise<{ uri: string; predictor: Predictor }> {
  const ts = buildTrainset(data).trainset;
  const config = svd.parseConfig({});
  const model = svd.fit(ts, config, { rng: createRng(seed), kernels: loadKernels('auto') });
  const { uri } = await writeArtifact(dir, model, {
    hyperparameters: config,
    seed,
    trainingData: { source, trainset: ts },
    createdAt: new Date().toISOString(),
  });
  return { uri, predictor: new Predictor(model) };
}

/** Milliseconds for 1M rows through invokeBatch, ids as the SQL layer may hand them over. */
function invokeBatchFigures(manager: EndpointManager, p: Predictor) {
  const rng = createRng(2);
  const { userIds, itemIds } = p.model;
  const u = Array.from({ length: ROWS }, () => userIds[rng.int(userIds.length)]);
  const i = Array.from({ length: ROWS }, () => itemIds[rng.int(itemIds.length)]);
  const un = u.map(Number);
  const inum = i.map(Number);
  const uf = u.map((x) => `${x}.0`);
  const ifl = i.map((x) => `${x}.0`);
  const out = new Float64Array(ROWS);
  // The vectors a scalar UDF receives, cut beforehand so that only invokeBatch is timed.
  const vectors = (users: unknown[], items: unknown[]) => {
    const cut: [unknown[], unknown[], Float64Array][] = [];
    for (let at = 0; at < ROWS; at += VECTOR)
      cut.push([users.slice(at, at + VECTOR), items.slice(at, at + VECTOR), out.subarray(at, at + VECTOR)]);
    return () => {
      for (const [us, is, o] of cut) manager.invokeBatch(NAME, us, is, o);
    };
  };
  const inner = { users: Int32Array.from(u, (x) => p.users.lookup(x)), items: Int32Array.from(i, (x) => p.items.lookup(x)) };
  const figures = {
    numbers: medianOf(5, vectors(un, inum)),
    numbersOneCall: medianOf(5, () => manager.invokeBatch(NAME, un, inum, out)),
    strings: medianOf(5, vectors(u, i)),
    floatStrings: medianOf(5, vectors(uf, ifl)),
    predictorLoop: medianOf(5, () => {
      for (let k = 0; k < ROWS; k++) out[k] = p.predict(u[k], i[k]);
    }),
    estimateOnly: medianOf(5, () => {
      for (let k = 0; k < ROWS; k++) out[k] = clip(estimate(p.model, inner.users[k], inner.items[k]), p.model.scale);
    }),
  };
  manager.invokeBatch(NAME, uf, ifl, out);
  for (let k = 0; k < ROWS; k += 997) {
    if (out[k] !== p.predict(u[k], i[k])) throw new Error(`row ${k}: invokeBatch ${out[k]}, Predictor ${p.predict(u[k], i[k])}`);
  }
  return figures;
}

/** Serve mode: `node dist/bench/endpoints.js serve <home>` — the endpoint manager and its routes on fastify. */
async function serve(home: string): Promise<void> {
  const t0 = performance.now();
  const manager = await EndpointManager.open({ home });
  const app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });
  await registerEndpointRoutes(app, manager);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  await manager.waitFor(NAME, 'InService', 60_000);
  console.log(`listening on ${url}, ${NAME} InService after ${(performance.now() - t0).toFixed(1)} ms`);
  process.once('SIGTERM', () => void app.close().then(() => manager.close()));
}

function startServer(home: string): Promise<{ child: ChildProcess; url: string; readyMs: number }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', home], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+), .* InService after ([\d.]+) ms/.exec(out);
      if (m) resolve({ child, url: m[1], readyMs: Number(m[2]) });
    });
    child.once('exit', (code) => reject(new Error(`endpoint server exited with ${code}: ${out}${err}`)));
  });
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/** The guide's payload through the endpoint must equal in-process predictions, digit for digit. */
async function checkAnswers(url: string, p: Predictor): Promise<void> {
  const pairs = [
    ['1', '308'],
    ['1', '425'],
    ['2', '541'],
    ['2', '1197'],
  ];
  const { status, text } = await post(
    `${url}/endpoints/${NAME}/invocations`,
    'text/csv',
    pairs.map((x) => x.join(',')).join('\n'),
    keepAlive,
  );
  const want = pairs.map(([u, i]) => p.predict(u, i)).join();
  if (status !== 200 || text.trimEnd().split('\n').map(Number).join() !== want)
    throw new Error(`endpoint answered ${status} ${text} for the payload, Predictor ${want}`);
}

async function batchLatencies(url: string, p: Predictor): Promise<number[]> {
  const rng = createRng(1);
  const { userIds, itemIds } = p.model;
  const lines = Array.from({ length: BATCH_LINES }, () => `${userIds[rng.int(userIds.length)]},${itemIds[rng.int(itemIds.length)]}`);
  const body = lines.join('\n') + '\n';
  const times: number[] = [];
  for (let k = 0; k < BATCH_REPEATS + 5; k++) {
    const t0 = performance.now();
    const { status, text } = await post(url, 'text/csv', body, keepAlive);
    if (k >= 5) times.push(performance.now() - t0);
    if (status !== 200 || text.split('\n').length !== BATCH_LINES + 1)
      throw new Error(`batch answered ${status} with ${text.split('\n').length - 1} lines`);
  }
  return times;
}

/** Deploys v2 over the serving v1 endpoint a third of the way into a paced run and classifies every answer. */
async function updateUnderLoad(url: string, v1: Predictor, v2: { uri: string; predictor: Predictor }) {
  const [user, item] = ['1', '308'];
  const old = v1.predict(user, item);
  const neu = v2.predictor.predict(user, item);
  if (old === neu) throw new Error('v1 and v2 predict the same for the probe pair; pick another');
  let deployAt = Number.NaN;
  let deploy: Promise<{ status: number; text: string }> | undefined;
  const run = await pacedCsv(`${url}/endpoints/${NAME}/invocations`, `${user},${item}\n`, UPDATE_RATE, UPDATE_SECONDS, (elapsed) => {
    if (deploy || elapsed < (UPDATE_SECONDS * 1000) / 3) return;
    deployAt = performance.now();
    deploy = post(`${url}/api/v1/endpoints`, 'application/json', JSON.stringify({ name: NAME, artifactUri: v2.uri }), new Agent());
  });
  const d = await deploy!;
  if (d.status !== 202) throw new Error(`deploy answered ${d.status}: ${d.text}`);
  const value = (a: PacedAnswer) => Number(a.text.trim());
  const ok = run.answers.filter((a) => a.status === 200);
  const firstNew = Math.min(...ok.filter((a) => value(a) === neu).map((a) => a.sentAt + a.latency));
  return {
    failed: run.answers.length - ok.length,
    old: ok.filter((a) => value(a) === old).length,
    new: ok.filter((a) => value(a) === neu).length,
    neither: ok.filter((a) => value(a) !== old && value(a) !== neu).length,
    switchMs: firstNew - deployAt,
    oldAfterSwitch: ok.filter((a) => a.sentAt > firstNew && value(a) === old).length,
    p99: percentile(run.latencies, 99),
  };
}

function medianOf(runs: number, f: () => unknown): number {
  f(); // warm-up
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else await main();
