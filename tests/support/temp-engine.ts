import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
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

/**
 * One engine for the tests of a file (call at the top of a describe): opening and closing a home costs
 * ~0.2 CPU-s, several times what most SQL tests run. `run` has withEngine's shape; each test gets a new
 * session, and the databases it created are dropped after it (with their schemas, tables and grants),
 * so tests stay independent as long as they create nothing outside a database (roles, users,
 * integrations, warehouses) and do not reopen the home: such tests keep withEngine.
 */
export function sharedEngine(): {
  run: (fn: (engine: Engine, session: Session, home: string) => Promise<void>) => Promise<void>;
  /** The engine itself, for a file that keeps its own state between tests (open from the first test on). */
  engine: () => Engine;
} {
  let home = '';
  let engine: Engine | undefined;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'recpipe-'));
    engine = await Engine.open({ home });
  });
  after(async () => {
    await engine?.close();
    rmSync(home, { recursive: true, force: true });
  });
  const databases = async (e: Engine, admin: Session): Promise<Set<string>> => {
    const r = await sql(e, admin, 'show databases');
    const name = r.columns.findIndex((c) => c.name === 'name');
    return new Set(r.rows.map((row) => String(row[name])));
  };
  return {
    engine: () => engine!,
    run: async (fn) => {
      const e = engine!;
      const admin = e.createSession({ role: 'ACCOUNTADMIN' });
      const before = await databases(e, admin);
      const session = e.createSession();
      try {
        await fn(e, session, home);
      } finally {
        await e.endSession(session);
        for (const db of await databases(e, admin))
          if (!before.has(db)) await e.execute(admin, `drop database if exists "${db.replaceAll('"', '""')}"`);
        await e.endSession(admin);
      }
    },
  };
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
