/**
 * Child process of task-memory.test.ts, run with --expose-gc: one request creates a task and then
 * runs a statement carrying a large string literal. Prints one JSON line: how much the heap grew
 * across that request after full collections, while the task it created still exists.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Engine } from '../engine/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const used = (): number => {
  gc();
  return getHeapStatistics().used_heap_size;
};

// 2 MB: a definition sliced from the request would keep all of it, twice the test's bound; parsing
// 8 MB (as before) cost the child 1.6 of its 5.4 CPU-s.
const PADDING_BYTES = 2 * 1024 * 1024;
const home = mkdtempSync(join(tmpdir(), 'recpipe-task-memory-'));
const engine = await Engine.open({ home });
try {
  const s = engine.createSession();
  const request = (tag: string): string =>
    `create or replace task ${tag} schedule = '1 HOURS' when 1 = 1 as insert into log values (1); select length('${'x'.repeat(PADDING_BYTES)}')`;
  await engine.execute(s, 'create database db; create table log (n int)');
  // The same shape once first: what stays for good after it (compiled code, caches) is not the request's.
  await engine.execute(s, request('warm'));
  const before = used();
  await engine.execute(s, request('kept'));
  const grownBytes = used() - before;
  const [shown] = await engine.execute(s, "show tasks like 'KEPT'");
  process.stdout.write(`${JSON.stringify({ tasks: shown.rows.length, grownBytes })}\n`);
} finally {
  await engine.close();
  rmSync(home, { recursive: true, force: true });
}
