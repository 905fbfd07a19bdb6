/**
 * One parse per statement (issue 9's follow-up): the privilege check and the translation used to
 * parse each statement separately (the check a skeleton with literal lists collapsed, the translation
 * the full text); now a statement DuckDB runs is parsed once and the tree is shared. Both ways run
 * here over the shared Snowflake SQL corpus and over the largest INSERT a request may hold, and the
 * medians are printed side by side. Goal: the shared parse costs less than the two parses.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDialect, parse, StatementParse, statementObjects, translate } from '../src/sql/dialect/index.js';
import { skeleton } from '../src/sql/statements/privileges.js';
import { splitStatements, type Statement } from '../src/sql/tokens.js';
import { repoRoot } from '../tests/support/shared-data.js';
import { median, printGoalTable } from './support/stats.js';

const ROUNDS = 15;
const TRANSLATED = new Set(['SELECT', 'WITH', 'VALUES', '(', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE']);
const session = { database: 'DB1', schema: 'SCHEMA1', role: 'SYSADMIN', warehouse: 'COMPUTE_WH' };

/** Before: the check parses the skeleton, the translation the text. */
function twoParses(st: Statement): void {
  statementObjects(parse(skeleton(st)), session);
  translate(st.text, st.tokens, st.text, session, 'SELECT');
}

/** Now: one parse, read by the check and taken by the translation. */
function oneParse(st: Statement): void {
  const parsed = new StatementParse();
  statementObjects(parsed.read(st.text), session);
  translate(st.text, st.tokens, st.text, session, 'SELECT', parsed);
}

function timed(statements: readonly Statement[], run: (st: Statement) => void): number {
  const per: number[] = [];
  for (const st of statements) {
    const ms: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const s = performance.now();
      run(st);
      ms.push(performance.now() - s);
    }
    per.push(median(ms));
  }
  return per.reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  const file = process.env.CASES ?? join(repoRoot(), '..', 'shared', 'snowflake-sql', 'cases.mjs');
  const { cases } = (await import(pathToFileURL(file).href)) as { cases: { setup?: string; sql: string }[] };
  await loadDialect();
  const corpus = cases
    .flatMap((c) => splitStatements(`${c.setup ?? ''};${c.sql}`))
    .filter((st) => TRANSLATED.has(st.tokens[0].value))
    .filter((st) => {
      try {
        twoParses(st);
        return true;
      } catch {
        return false;
      }
    });
  const rows = Array.from({ length: 1_000 }, (_, i) => `(${i}, 'user ${i}', ${i % 5}.5)`).join(', ');
  const [bigInsert] = splitStatements(`insert into ratings (userid, name, rating) values ${rows}`);
  // Warm both paths, then measure each on the same statements.
  timed(corpus, twoParses);
  timed(corpus, oneParse);
  const corpusBefore = timed(corpus, twoParses);
  const corpusAfter = timed(corpus, oneParse);
  const bigBefore = timed([bigInsert], twoParses);
  const bigAfter = timed([bigInsert], oneParse);
  console.log(`${corpus.length} corpus statements, check + translation, median of ${ROUNDS} runs each, summed`);
  printGoalTable(
    [
      ['corpus, two parses (before)', `${corpusBefore.toFixed(1)} ms`, '-'],
      ['corpus, one parse (now)', `${corpusAfter.toFixed(1)} ms`, `< before: ${corpusAfter < corpusBefore ? 'met' : 'NOT met'}`],
      ['1,000-row INSERT, two parses', `${bigBefore.toFixed(1)} ms`, '-'],
      ['1,000-row INSERT, one parse', `${bigAfter.toFixed(1)} ms`, `< before: ${bigAfter < bigBefore ? 'met' : 'NOT met'}`],
    ],
    [30, 12],
  );
}

await main();
