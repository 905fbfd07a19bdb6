/**
 * Child process of request-memory.test.ts, run with --expose-gc: a real server on loopback over a temp
 * home takes a request of 1,000 INSERTs (3.5 KB literals, ~3.6 MB of SQL) and prints one JSON line:
 * how many of that request's result objects are still reachable after it ended, how much the heap
 * grew across the request after a full collection, and the heap before and after the server's own
 * idle collection (which it runs without being asked).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { readOwnerToken } from '../../src/auth/index.js';
import { Engine } from '../../src/engine/index.js';
import { startServer } from '../../src/service/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const used = (): number => getHeapStatistics().used_heap_size;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

const home = mkdtempSync(join(tmpdir(), 'recpipe-request-memory-'));
const engine = await Engine.open({ home });
// Observes (does not replace) the engine: every result the server gets is watched through a WeakRef.
const watched: WeakRef<object>[] = [];
const execute = engine.execute.bind(engine);
engine.execute = async (...args: Parameters<Engine['execute']>) => {
  const results = await execute(...args);
  watched.push(new WeakRef(results), ...results.map((r) => new WeakRef(r)));
  return results;
};
const IDLE_MS = 300;
const server = await startServer(engine, { home, host: '127.0.0.1', port: 0, idleHeap: { idleMs: IDLE_MS, growthBytes: 4 * 1024 * 1024 } });
try {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${readOwnerToken(home)}` };
  const sql = async (text: string): Promise<void> => {
    const res = await fetch(`${server.url}/api/v1/statements`, { method: 'POST', headers, body: JSON.stringify({ sql: text }) });
    if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const inserts = (tag: string, n = 1_000) => `insert into big.public.t values ('${tag}${'x'.repeat(3_500)}');`.repeat(n);
  await sql('create database big; create table big.public.t (v varchar)');
  // The same shape once first, a tenth the size: what stays for good after it (compiled code, the parser's caches) is
  // not the request's.
  await sql(inserts('warm', 100));
  await sql('truncate table big.public.t');
  await settle(IDLE_MS * 3);
  gc();
  const before = used();
  watched.length = 0;
  await sql(inserts('large'));
  const beforeIdle = used();
  await settle(IDLE_MS * 5);
  const afterIdle = used();
  gc();
  const after = used();
  const reachable = watched.filter((w) => w.deref() !== undefined).length;
  process.stdout.write(`${JSON.stringify({ watched: watched.length, reachable, grownBytes: after - before, beforeIdle, afterIdle })}\n`);
} finally {
  await server.close();
  await engine.close();
  rmSync(home, { recursive: true, force: true });
}
