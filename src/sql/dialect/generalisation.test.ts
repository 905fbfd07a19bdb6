import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sharedEngine } from '../../../tests/support/temp-engine.js';
import type { StatementResult } from '../session.js';
import { PROBES, type Probe } from './generalisation.probes.js';

const PREAMBLE =
  'drop database if exists db1; drop database if exists db2; create database db1; create schema db1.schema1; use schema db1.schema1;';

/**
 * After a probe that kept to its schema (its statements name no schema or database, use none and build
 * no name), a fresh empty schema of DB1 is enough: the next probe sees what it would after PREAMBLE, for
 * a fraction of the cost (dropping and attaching a database file is most of a probe's time). The old
 * schema is left in DB1 until the next whole reset (dropping it cost as much as creating the new one),
 * which comes before any probe that could see it: one naming a schema or database.
 */
let freshSchemas = 0;
const freshSchema = (): string => `create schema db1.probe${++freshSchemas}; use schema db1.probe${freshSchemas};`;
const leavesSchema1 = (p: Probe): boolean => /schema|database|public|\buse\b|\bdb\d|identifier/i.test(`${p.setup ?? ''} ${p.sql}`);

/**
 * A probe without setup whose text is one SELECT (or WITH … SELECT) changes nothing in DB1, so the
 * probe after it only needs to enter the same schema again: half the probes are such reads, and
 * resetting the schema was most of the file's time.
 */
const onlyReads = (p: Probe): boolean =>
  p.setup === undefined &&
  /^\s*(select|with)\b[^;]*;?\s*$/i.test(p.sql) &&
  !/\b(insert|update|delete|merge|create|drop|alter|truncate|copy|call|grant|revoke|nextval|set|unset|begin|commit|rollback)\b/i.test(
    p.sql,
  );

/** Timestamps compare as wall-clock text: `2024-01-02T03:04:05.000` reads as `2024-01-02 03:04:05`. */
function wallClock(s: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d*)?$/.exec(s);
  if (!m) return s;
  const frac = (m[3] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
  return `${m[1]} ${m[2]}${frac}`;
}

function same(expected: unknown, actual: unknown): boolean {
  if (expected === null) return actual === null;
  if (typeof expected === 'number')
    return (
      (typeof actual === 'number' || typeof actual === 'string') &&
      Math.abs(Number(actual) - expected) <= 1e-9 * Math.max(1, Math.abs(expected))
    );
  if (typeof expected === 'string') return typeof actual === 'string' && (actual === expected || wallClock(actual) === wallClock(expected));
  if (Array.isArray(expected))
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same(e, actual[i]));
  if (typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const ek = Object.keys(expected).sort();
    const ak = Object.keys(actual).sort();
    return (
      ek.length === ak.length &&
      ek.every((k, i) => k === ak[i] && same((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k]))
    );
  }
  return expected === actual;
}

/** Why the result is not the one Snowflake documents, or null when it is. */
function mismatch(p: Probe, r: StatementResult): string | null {
  if (p.ok) return null;
  if (
    p.columns &&
    !same(
      p.columns,
      r.columns.map((c) => c.name),
    )
  )
    return `columns ${JSON.stringify(r.columns.map((c) => c.name))}`;
  const rows = p.rows ?? [];
  const ok = same(rows, r.rows);
  return ok ? null : `rows ${JSON.stringify(r.rows)}, expected ${JSON.stringify(rows)}`;
}

/**
 * Runs each probe on one engine (a fresh session, DB1 and SCHEMA1 per probe). A probe with `todo` is a
 * known gap: it is reported, not failed. The tally by category is printed at the end.
 */
describe('the Snowflake dialect generalises beyond the shared corpus', () => {
  const shared = sharedEngine();
  const tally = new Map<string, { pass: number; total: number }>();

  after(() => {
    const lines = [...tally].map(([cat, s]) => `${cat.padEnd(12)} ${s.pass}/${s.total}`);
    const pass = [...tally.values()].reduce((n, s) => n + s.pass, 0);
    console.log(`probes passed by category:\n${lines.join('\n')}\nTOTAL        ${pass}/${PROBES.length}`);
  });

  let reset = PREAMBLE;
  /** The schema the probe runs in: SCHEMA1 after PREAMBLE, a fresh one after a probe that kept to its own. */
  let schema = 'schema1';
  for (const p of PROBES) {
    it(`[${p.cat}] ${p.id}`, { timeout: 180_000, todo: p.todo }, async () => {
      const engine = shared.engine();
      const session = engine.createSession();
      const count = tally.get(p.cat) ?? { pass: 0, total: 0 };
      tally.set(p.cat, count);
      count.total++;
      try {
        // A probe naming schemas or databases sees DB1 as PREAMBLE leaves it: SCHEMA1 alone, and current.
        const fresh = leavesSchema1(p) ? PREAMBLE : reset;
        reset = PREAMBLE; // until this probe's reset and setup have run
        if (fresh === PREAMBLE) schema = 'schema1';
        await engine.execute(session, fresh + (p.setup ?? ''));
        if (!leavesSchema1(p)) {
          if (onlyReads(p)) reset = `use schema db1.${schema};`;
          else {
            reset = freshSchema();
            schema = `probe${freshSchemas}`;
          }
        }
        let why: string | null;
        try {
          const results = await engine.execute(session, p.sql);
          why = p.error ? `succeeded: ${JSON.stringify(results[results.length - 1].rows)}` : mismatch(p, results[results.length - 1]);
        } catch (e) {
          why = p.error ? null : `failed: ${(e as Error).message}`;
        }
        if (why === null) count.pass++;
        assert.equal(why, null, `${p.sql}\n(${p.src})`);
      } finally {
        await engine.endSession(session);
      }
    });
  }
});
