/**
 * The dialect's cost per statement: parse + transform + render (Snowflake SQL → DuckDB SQL) over
 * every statement of the shared Snowflake SQL corpus (../shared/snowflake-sql/cases.mjs, or
 * $CASES) that the dialect translates. Goal: ≤ 1 ms median per statement. Also reports the one-off
 * cost of loading the parser.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDialect, parse, render, transform } from '../src/sql/dialect/index.js';
import { selectItemNames } from '../src/sql/select-names.js';
import { splitStatements, type Statement } from '../src/sql/tokens.js';
import { repoRoot } from '../tests/support/shared-data.js';
import { median, percentile, printGoalTable } from './support/stats.js';

const GOAL_MEDIAN_MS = 1;
const ROUNDS = 20;
/** Statements the executor hands to the dialect (the rest are recpipe's own: USE, SHOW, CREATE DATABASE …). */
const TRANSLATED = new Set(['SELECT', 'WITH', 'VALUES', '(', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE']);
const session = { database: 'DB1', schema: 'SCHEMA1', role: 'SYSADMIN', warehouse: 'COMPUTE_WH' };

interface Case {
  readonly setup?: string;
  readonly sql: string;
}

function translateOnce(st: Statement): void {
  const ast = parse(st.text);
  transform(ast, { session, action: 'SELECT', refs: [], splices: [] }, selectItemNames(st.tokens, st.text));
  render(ast);
}

async function main(): Promise<void> {
  const file = process.env.CASES ?? join(repoRoot(), '..', 'shared', 'snowflake-sql', 'cases.mjs');
  const { cases } = (await import(pathToFileURL(file).href)) as { cases: Case[] };
  const t0 = performance.now();
  await loadDialect();
  const loadMs = performance.now() - t0;
  const statements: Statement[] = [];
  for (const c of cases) {
    for (const st of splitStatements(`${c.setup ?? ''};${c.sql}`)) {
      if (TRANSLATED.has(st.tokens[0].value)) statements.push(st);
    }
  }
  const usable = statements.filter((st) => {
    try {
      translateOnce(st);
      return true;
    } catch {
      return false;
    }
  });
  const perStatement: number[] = [];
  for (const st of usable) {
    const ms: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const s = performance.now();
      translateOnce(st);
      ms.push(performance.now() - s);
    }
    perStatement.push(median(ms));
  }
  console.log(
    `${usable.length} of ${statements.length} corpus statements translated (${cases.length} cases); median of ${ROUNDS} runs each`,
  );
  printGoalTable([
    ['parse+transform+render median', `${median(perStatement).toFixed(3)} ms`, `≤ ${GOAL_MEDIAN_MS} ms`],
    ['parse+transform+render p95', `${percentile(perStatement, 95).toFixed(3)} ms`, '-'],
    ['parse+transform+render max', `${Math.max(...perStatement).toFixed(3)} ms`, '-'],
    ['loading the parser (once)', `${loadMs.toFixed(0)} ms`, '-'],
  ]);
}

await main();
