import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type Session, type StatementResult } from '../../src/engine/index.js';

/** A fresh engine on a temporary home, removed afterwards. */
export async function withEngine(fn: (engine: Engine, session: Session, home: string) => Promise<void>): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  const engine = await Engine.open({ home });
  try {
    await fn(engine, engine.createSession(), home);
  } finally {
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Runs SQL and returns the last statement's result. */
export async function sql(engine: Engine, session: Session, text: string, params?: unknown[]): Promise<StatementResult> {
  const results = await engine.execute(session, text, params);
  return results[results.length - 1];
}

/** A temporary directory for test files, removed afterwards. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-files-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
