import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRecpipeError } from '../core/errors.js';
import type { Session } from '../engine/index.js';
import { SessionStore } from './session-store.js';

const session = (id: string): Session => ({ id, role: 'SYSADMIN', database: null, schema: null, warehouse: null });

describe('SessionStore', () => {
  it('drops the least recently used session past its capacity', () => {
    const store = new SessionStore(2);
    store.add(session('a'));
    store.add(session('b'));
    store.get('a');
    store.add(session('c'));
    assert.equal(store.size, 2);
    assert.equal(store.get('a').id, 'a');
    assert.throws(
      () => store.get('b'),
      (e: unknown) => isRecpipeError(e) && e.code === 'NOT_FOUND' && /'b'/.test(e.message),
    );
  });

  it('removes a session only for its owner', () => {
    const store = new SessionStore();
    store.add(session('a'), 'key-1');
    assert.equal(store.remove('a', 'key-2'), undefined);
    assert.equal(store.remove('a', 'key-1')?.id, 'a');
    assert.equal(store.size, 0);
    assert.throws(
      () => store.get('a', 'key-1'),
      (e: unknown) => isRecpipeError(e) && e.code === 'NOT_FOUND',
    );
  });

  it('runs one request at a time per session, in arrival order, even after a failure', async () => {
    const store = new SessionStore();
    store.add(session('s'));
    store.add(session('t'));
    const log: string[] = [];
    const work =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
      };
    const first = store.run('s', work('s1', 150, true)); // far apart from t1's 1 ms, so a loaded machine keeps the order
    const second = store.run('s', work('s2', 1));
    const other = store.run('t', work('t1', 1));
    await assert.rejects(first, /s1/);
    await Promise.all([second, other]);
    assert.deepEqual(log, ['start s1', 'start t1', 'end t1', 'end s1', 'start s2', 'end s2']);
  });

  it('keeps each caller to its own sessions and to at most perCaller of them, dropping its idle ones first', async () => {
    const store = new SessionStore(100, 2);
    store.add(session('a1'), 'key-a');
    store.add(session('a2'), 'key-a');
    store.add(session('b1'), 'key-b');
    assert.throws(
      () => store.get('a1', 'key-b'),
      (e: unknown) => isRecpipeError(e) && e.code === 'NOT_FOUND',
    );
    store.add(session('a3'), 'key-a');
    assert.throws(() => store.get('a1', 'key-a'), /not found/, 'the least recently used idle session made room');
    assert.equal(store.get('b1', 'key-b').id, 'b1', 'other callers keep theirs');
    let release!: () => void;
    const busy = new Promise<void>((r) => (release = r));
    const running = [store.run('a2', () => busy, 'key-a'), store.run('a3', () => busy, 'key-a')];
    assert.throws(
      () => store.add(session('a4'), 'key-a'),
      (e: unknown) => isRecpipeError(e) && e.code === 'RESOURCE_EXHAUSTED' && /2 open sessions/.test(e.message),
    );
    release();
    await Promise.all(running);
    store.add(session('a4'), 'key-a');
    assert.equal(store.size, 3);
  });
});
