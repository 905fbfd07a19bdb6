import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { INTERRUPTED_REASON } from '../../src/jobs/index.js';
import { createSyntheticRatings, openFixture, rowsOf, type JobsFixture } from './jobs-fixture.js';

const CHILD = fileURLToPath(new URL('./jobs-crash-child.js', import.meta.url));

/** Runs the child on `home` until it reports training, then SIGKILLs it; resolves with the job's name. */
function trainThenKill(home: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let name: string | null = null;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /TRAINING (\S+)/.exec(stdout);
      if (m && name === null) {
        name = m[1];
        child.kill('SIGKILL');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (name !== null && signal === 'SIGKILL') resolve(name);
      else reject(new Error(`the child ended (code ${code}, signal ${signal}) before training: ${stderr}`));
    });
  });
}

describe('training jobs: a process killed mid-job', () => {
  let fx: JobsFixture | undefined;
  after(() => fx?.cleanup());

  it('leaves the old output table, and the job is Failed when the home is reopened', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
    const setup = await openFixture(home);
    await createSyntheticRatings(setup.warehouse, 'RATINGS');
    await setup.warehouse.run(`CREATE TABLE MOVIELENS.PUBLIC.OUT (USERID BIGINT, RECOMMENDATIONS JSON)`);
    await setup.warehouse.run(`INSERT INTO MOVIELENS.PUBLIC.OUT VALUES (1, '[7,8,9]'), (2, '[]')`);
    // DuckDB allows one process per database file: hand the home over to the child.
    await setup.warehouse.close();

    const name = await trainThenKill(home);

    fx = await openFixture(home);
    const jobs = await fx.manager();
    const job = jobs.get(name);
    assert.equal(job.status, 'Failed');
    assert.equal(job.failureReason, INTERRUPTED_REASON);
    assert.deepEqual(
      job.secondaryStatusTransitions.map((t) => t.status),
      ['Starting', 'Downloading', 'Training', 'Failed'],
    );
    assert.deepEqual(await rowsOf(fx.warehouse, 'OUT'), [
      [1, [7, 8, 9]],
      [2, []],
    ]);
    assert.equal(job.artifactUri, null);
    assert.ok(!existsSync(join(home, 'artifacts', name)));
  });
});
