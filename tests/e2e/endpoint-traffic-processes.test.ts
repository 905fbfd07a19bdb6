import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EndpointManager, SHARED_SECONDS } from '../../src/endpoints/index.js';
import { writeTinyArtifact } from '../support/tiny-model-fixture.js';
import { tempDir } from '../support/temp-engine.js';

const T = { timeout: 60_000 };

/**
 * Two real processes serving the same endpoint of one home: this one and a child. The live
 * per-second figures of either count both (each writes its last seconds to the home about once a
 * second), the minutes too once written, and deleting the endpoint removes every process's files of it.
 */
describe('endpoint traffic of every process', () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  let child: ChildProcess | null = null;
  after(() => {
    child?.kill();
    tmp.remove();
  });

  it('charts two processes invoking one endpoint, per second and per minute, and forgets a deleted endpoint at once', T, async () => {
    await writeTinyArtifact(join(tmp.dir, 'tiny'));
    const endpoints = await EndpointManager.open({ home });
    try {
      endpoints.deploy('shared', join(tmp.dir, 'tiny'));
      await endpoints.waitFor('shared', 'InService');
      const proc = spawn(process.execPath, [new URL('./endpoint-traffic-child.js', import.meta.url).pathname, home, 'shared', '40'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      child = proc;
      let out = '';
      await new Promise<void>((resolve, reject) => {
        proc.stdout?.on('data', (d: Buffer) => (out += d.toString()).includes('INVOKED 40') && resolve());
        proc.once('exit', (code) => reject(new Error(`the child exited (${code}) before invoking: ${out}`)));
      });
      for (let i = 0; i < 15; i++) endpoints.invokeOne('shared', '2', '102');

      // The child's seconds reach this process within its write interval (about a second).
      const t0 = Date.now();
      let live = await endpoints.metrics.traffic('shared', 120);
      while (live.totalRequests < 55 && Date.now() - t0 < 15_000) {
        await new Promise((r) => setTimeout(r, 100));
        live = await endpoints.metrics.traffic('shared', 120);
      }
      assert.deepEqual([live.totalRequests, live.processes], [55, 2], 'the live seconds count both processes');
      assert.ok(live.p50.some((p) => p !== null));
      // This process counts its own seconds from memory and writes them on its own timer (about a
      // second), so its file may trail the figures: wait for it within a few write intervals.
      const folder = join(home, 'endpoint-traffic', 'shared');
      const secondsFiles = () => readdirSync(folder).filter((f) => f.endsWith('.seconds.json'));
      const t1 = Date.now();
      while (secondsFiles().length < 2 && Date.now() - t1 < 5_000) await new Promise((r) => setTimeout(r, 100));
      const seconds = secondsFiles();
      assert.equal(seconds.length, 2, `one seconds file per process: ${seconds}`);
      for (const f of seconds) {
        assert.equal(statSync(join(folder, f)).mode & 0o777, 0o600);
        assert.ok(JSON.parse(readFileSync(join(folder, f), 'utf8')).records.length <= SHARED_SECONDS);
      }
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      console.log(`the other process's seconds were seen ${Date.now() - t0} ms after its invocations`);

      // Once the child has closed (writing its minutes), the minutes count both too.
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.stdin?.end();
      assert.equal(await exited, 0);
      const minutes = await endpoints.metrics.history('shared', 5);
      assert.deepEqual([minutes.totalRequests, minutes.processes], [55, 2]);

      await endpoints.delete('shared');
      assert.equal(existsSync(folder), false, "the deleted endpoint's traffic files are gone at once");
      assert.ok(existsSync(join(home, 'endpoint-traffic')));
    } finally {
      await endpoints.close();
    }
  });
});
