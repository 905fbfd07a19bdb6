import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Predictor, type FactorModel } from '../../core/index.js';
import { recpipeInProcess } from '../../../tests/support/cli-in-process.js';
import { writeTinyArtifact } from '../../../tests/support/tiny-model-fixture.js';
import { repoRoot } from '../../../tests/support/shared-data.js';

const bin = join(repoRoot(), 'bin', 'recpipe.js');
const dir = mkdtempSync(join(tmpdir(), 'recpipe-'));
let server: ChildProcess;
let url = '';
let model: FactorModel;
let stdout = '';

/**
 * `recpipe …` in this process: the predict client and a failing serve-model are about their output and
 * exit codes, not their process, and a child each cost about a CPU-second of start-up. The server
 * itself is a child: its start-up line and its exit on SIGTERM are the point.
 */
const recpipe = (...args: string[]) => recpipeInProcess(args);

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

before(async () => {
  model = (await writeTinyArtifact(join(dir, 'model'))).model;
  server = spawn(process.execPath, [bin, 'serve-model', '--model', join(dir, 'model'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 60 s; stdout: ${stdout}`)), 60_000);
    server.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.once('exit', (code) => reject(new Error(`serve-model exited with ${code} before listening; stdout: ${stdout}`)));
  });
});

after(() => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('recpipe serve-model (a child process) and recpipe predict', () => {
  it('reports the loaded model', () => {
    assert.match(stdout, new RegExp(`Loaded svd model .*: ${model.userIds.length} users, ${model.itemIds.length} items, 4 factors`));
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("predicts the guide's payload shape, pair by pair, as Predictor does", async () => {
    const payload = join(dir, 'payload.csv');
    writeFileSync(payload, '1,108\r\n1,125\r\n2,"The Matrix"\r\nalice,1197\r\n');
    const r = await recpipe('predict', payload, '--url', url);
    assert.equal(r.code, 0, r.stderr);
    const p = new Predictor(model);
    const expected = [
      ['1', '108'],
      ['1', '125'],
      ['2', 'The Matrix'],
      ['alice', '1197'],
    ].map(([u, i]) => `${u},${i},${p.predict(u, i)}`);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), ['user,item,prediction', ...expected]);
  });

  it('fails with exit code 2 naming the line of a malformed payload', async () => {
    const payload = join(dir, 'bad.csv');
    writeFileSync(payload, 'user,item\n1,108\n1;125\n');
    const r = await recpipe('predict', payload, '--url', url);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.csv: line 3: expected 2 fields \(user,item\), got 1: "1;125"/);
  });

  it('fails with exit code 5 when no server answers, and 3 for a missing artifact', async () => {
    const payload = join(dir, 'payload.csv');
    const port = await freePort();
    const closed = await recpipe('predict', payload, '--url', `http://127.0.0.1:${port}`);
    assert.equal(closed.code, 5);
    assert.match(closed.stderr, new RegExp(`cannot reach a model server at http://127\\.0\\.0\\.1:${port}/invocations \\(ECONNREFUSED\\)`));
    const missing = await recpipe('serve-model', '--model', join(dir, 'no-such-model'), '--port', '0');
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /no artifact at .*no-such-model/);
  });

  it('closes gracefully on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
