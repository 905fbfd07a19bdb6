/**
 * Model-server benchmark: an SVD (Surprise defaults) fitted on ml-latest-small, served by
 * `recpipe serve-model` in a child process, loaded by autocannon from this process (so server and
 * load generator get one core each of a 2-core machine). Prints recpipe's figures beside the goals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Predictor, buildTrainset, createRng, referenceKernels, svd } from '../src/core/index.js';
import { readArtifact, writeArtifact } from '../src/artifacts/index.js';
import { hasSharedData, mlSmall, repoRoot, sharedDataSkip } from '../tests/support/shared-data.js';
import { autocannon } from './support/autocannon.js';
import { pacedCsv } from './support/paced.js';
import { checked, httpLoadRows, median, printGoalTable, stopChild } from './support/stats.js';
import { readRatingsFile } from '../src/datasets/index.js';

const CONNECTIONS = 10;
const SECONDS = 10;
const BATCH_LINES = 10_000;
const BATCH_REPEATS = 30;

async function main(): Promise<void> {
  if (!hasSharedData) {
    console.log(`bench:serve skipped: ${sharedDataSkip}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-'));
  let server: ChildProcess | undefined;
  try {
    const modelDir = join(dir, 'model');
    const { predictor, trainSeconds } = await trainAndWrite(modelDir);
    const loadMs = await medianLoadMs(modelDir);
    const size = readdirSync(modelDir).reduce((sum, f) => sum + statSync(join(modelDir, f)).size, 0);
    const started = await startServer(modelDir);
    server = started.child;
    const url = started.url;

    await checkAnswers(url, predictor);
    const single = {
      url: `${url}/invocations`,
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: '1,308\n',
      connections: CONNECTIONS,
    };
    await autocannon({ ...single, duration: 2 }); // warm-up: JIT, connection set-up
    const max = checked(await autocannon({ ...single, duration: SECONDS }));
    const bursty = checked(await autocannon({ ...single, duration: SECONDS, overallRate: 1000 }));
    const even = await pacedCsv(`${url}/invocations`, '1,308\n', 1000, SECONDS);
    const batch = await batchLatencies(url, predictor);

    const fmt = (x: number, d = 2) => x.toFixed(d);
    const rows: [string, string, string][] = [
      ['artifact read + verify, median of 20 (ms)', fmt(loadMs), 'a few ms'],
      ['  the same in serve-model, a fresh process (ms)', fmt(started.coldLoadMs), ''],
      ...httpLoadRows('single-pair CSV', max, bursty, even, batch, BATCH_LINES),
    ];
    console.log(
      `\nrecpipe serve-model on ml-latest-small: SVD, 100 factors, ${predictor.model.userIds.length} users, ${predictor.model.itemIds.length} items ` +
        `(parse + fit ${fmt(trainSeconds, 1)} s; artifact ${(size / 1e6).toFixed(1)} MB)\n` +
        `load: autocannon ${CONNECTIONS} keep-alive connections, ${SECONDS} s per run, body "1,308\\n"; autocannon reports whole ms ` +
        `and, at a fixed rate, sends each connection's share as a burst at the start of every second.\n` +
        `"evenly paced": requests sent on a 1 ms schedule over a keep-alive pool whatever the answers (open loop), latency from send to answer.\n`,
    );
    printGoalTable(rows, [16, 12]);
  } finally {
    await stopChild(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function trainAndWrite(modelDir: string): Promise<{ predictor: Predictor; trainSeconds: number }> {
  const t0 = performance.now();
  const ds = (await readRatingsFile(mlSmall('ratings.csv'))).dataset;
  const ts = buildTrainset(ds).trainset;
  const config = svd.parseConfig({});
  const model = svd.fit(ts, config, { rng: createRng(0), kernels: referenceKernels });
  const trainSeconds = (performance.now() - t0) / 1000;
  await writeArtifact(modelDir, model, {
    hyperparameters: config,
    seed: 0,
    trainingData: { source: mlSmall('ratings.csv'), trainset: ts },
    createdAt: new Date().toISOString(),
  });
  return { predictor: new Predictor(model), trainSeconds };
}

async function medianLoadMs(modelDir: string): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    await readArtifact(modelDir);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Starts `recpipe serve-model`; resolves with its URL and the load time it reports. */
function startServer(modelDir: string): Promise<{ child: ChildProcess; url: string; coldLoadMs: number }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'recpipe.js'), 'serve-model', '--model', modelDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], coldLoadMs: Number(/read and verified in ([\d.]+) ms/.exec(out)?.[1]) });
    });
    child.once('exit', (code) => reject(new Error(`serve-model exited with ${code}: ${out}${err}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function postCsv(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/invocations`, { method: 'POST', agent, headers: { 'content-type': 'text/csv' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The guide's payload through the server must equal in-process predictions, digit for digit. */
async function checkAnswers(url: string, p: Predictor): Promise<void> {
  const pairs = [
    ['1', '308'],
    ['1', '425'],
    ['2', '541'],
    ['2', '1197'],
  ];
  const got = (await postCsv(url, pairs.map((x) => x.join(',')).join('\n'))).trimEnd().split('\n').map(Number);
  const want = pairs.map(([u, i]) => p.predict(u, i));
  if (got.join() !== want.join()) throw new Error(`server answered ${got.join()} for the payload, Predictor ${want.join()}`);
}

/** Wall time from sending a 10,000-line body to receiving the whole answer, over one kept-alive connection. */
async function batchLatencies(url: string, p: Predictor): Promise<number[]> {
  const rng = createRng(1);
  const { userIds, itemIds } = p.model;
  const lines: string[] = [];
  for (let k = 0; k < BATCH_LINES; k++) lines.push(`${userIds[rng.int(userIds.length)]},${itemIds[rng.int(itemIds.length)]}`);
  const body = lines.join('\n') + '\n';
  const times: number[] = [];
  for (let k = 0; k < BATCH_REPEATS + 5; k++) {
    const t0 = performance.now();
    const answer = await postCsv(url, body);
    if (k >= 5) times.push(performance.now() - t0);
    if (k === 0 && answer.split('\n').length !== BATCH_LINES + 1) throw new Error('batch answer has the wrong number of lines');
  }
  return times;
}

await main();
