import type { StatementResult } from '../session.js';
import { tokenize, type Statement } from '../tokens.js';
import { isScriptBlock, parseScript } from './script-parse.js';
import { runScript, uncaught, type RunSql } from './script-run.js';

export { isScriptBlock } from './script-parse.js';

/**
 * The script a statement holds: a block (`[DECLARE …] BEGIN … END`) or `EXECUTE IMMEDIATE` of a
 * string literal (`$$ … $$`), whose text is a block or any one statement. Null for other statements.
 */
export function scriptOf(st: Statement): string | null {
  const t = st.tokens;
  if (isScriptBlock(t)) return st.text;
  if (t.length === 3 && t[0].value === 'EXECUTE' && t[1].value === 'IMMEDIATE' && t[2].kind === 'string') return t[2].value;
  return null;
}

/**
 * Runs a script's text: a block is interpreted (its result is one row in the column `anonymous
 * block`, or the rows of RETURN TABLE(…)); any other text is run as it is, as one request.
 * `runRequest` runs SQL in the script's session; `run` one statement of it.
 */
export async function executeScript(
  st: Statement,
  text: string,
  run: RunSql,
  runRequest: (sql: string) => Promise<StatementResult[]>,
  signal?: AbortSignal,
): Promise<StatementResult> {
  if (!isScriptBlock(tokenize(text))) {
    const results = await runRequest(text);
    return { ...results[results.length - 1], statement: st.text };
  }
  try {
    const out = await runScript(parseScript(text), run, signal);
    if ('table' in out) return { ...out.table, statement: st.text };
    return {
      statement: st.text,
      kind: 'query',
      columns: [{ name: 'anonymous block', type: typeOf(out.value) }],
      rows: [[out.value]],
      rowCount: 1,
    };
  } catch (e) {
    throw uncaught(e);
  }
}

function typeOf(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return 'NUMBER';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (v !== null && typeof v === 'object') return 'VARIANT';
  return 'VARCHAR';
}
