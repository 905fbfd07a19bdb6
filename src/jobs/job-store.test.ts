import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseJobSpec } from './job-spec.js';
import { moveTo, newJob, snapshot } from './job-state.js';
import { JobStore } from './job-store.js';

const spec = parseJobSpec({ input: { database: 'D', schema: 'S', name: 'IN' }, output: { database: 'D', schema: 'S', name: 'OUT' } });
const at = (second: number): Date => new Date(Date.UTC(2024, 0, 1, 0, 0, second));

describe('job store', () => {
  let root: string;
  let store: JobStore;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'recpipe-jobs-'));
    store = new JobStore(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes every change of a job in order, so the newest state is the one on disk', async () => {
    const job = newJob('train-20240101-000000-0001', 'id-1', spec, at(0));
    const saves: Promise<void>[] = [];
    const phases = ['Downloading', 'Training', 'Uploading'] as const;
    phases.forEach((p, i) => {
      moveTo(job, 'InProgress', p, p, at(i + 1));
      saves.push(store.save(snapshot(job)));
    });
    moveTo(job, 'Completed', 'Completed', 'done', at(9));
    saves.push(store.save(snapshot(job)));
    await Promise.all(saves);
    const stored = JSON.parse(readFileSync(join(root, job.name, 'job.json'), 'utf8'));
    assert.equal(stored.format, 'recpipe-training-job');
    assert.equal(stored.status, 'Completed');
    assert.deepEqual(
      stored.secondaryStatusTransitions.map((t: { status: string }) => t.status),
      ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'],
    );
    const { jobs, problems } = await store.loadAll();
    assert.deepEqual(problems, []);
    assert.deepEqual(jobs, [snapshot(job)]);
  });

  it('appends log lines in call order', async () => {
    const name = 'train-20240101-000000-0001';
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendLog(name, `line ${i}\n`)));
    assert.equal(await store.readLog(name), Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
    assert.equal(await store.readLog('train-20240101-000000-ffff'), '');
  });

  it('loads jobs oldest first, ignores other directories and reports unreadable job files', async () => {
    const newer = newJob('train-20240101-000005-0002', 'id-2', spec, at(5));
    await store.save(snapshot(newer));
    mkdirSync(join(root, 'not-a-job'));
    mkdirSync(join(root, 'train-20240101-000006-0003'));
    writeFileSync(join(root, 'train-20240101-000006-0003', 'job.json'), '{"format":"recpipe-training-job","formatVersion":2}');
    mkdirSync(join(root, 'train-20240101-000007-0004'));
    writeFileSync(join(root, 'train-20240101-000007-0004', 'job.json'), '{not json');
    const { jobs, problems } = await store.loadAll();
    assert.deepEqual(
      jobs.map((j) => j.name),
      ['train-20240101-000000-0001', 'train-20240101-000005-0002'],
    );
    assert.equal(problems.length, 2);
    assert.match(problems[0], /train-20240101-000006-0003.job\.json: format version 2 is not supported/);
    assert.match(problems[1], /train-20240101-000007-0004.job\.json: /);
  });
});
