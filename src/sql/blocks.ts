import { isScriptBlock } from './scripting/index.js';
import type { Statement, Token } from './tokens.js';

/** Words that end a Snowflake Scripting construct other than a block (END IF, END LOOP …). */
const END_OF_OTHER = new Set(['IF', 'LOOP', 'FOR', 'WHILE', 'REPEAT']);
const TRANSACTION_WORDS = new Set(['TRANSACTION', 'WORK']);

/**
 * The statement splitter cuts at every top-level ';', which also cuts a task body written as a
 * `BEGIN … END` block (`CREATE TASK t … AS BEGIN insert …; call …; END`). This puts such a
 * statement back together: while its BEGIN/CASE … END nesting is open, the following statements
 * belong to it. Only statements that define a task body (CREATE TASK, ALTER TASK … MODIFY AS) open blocks.
 */
export function joinBlocks(statements: readonly Statement[], text: string): Statement[] {
  const out: Statement[] = [];
  for (let i = 0; i < statements.length; i++) {
    let st = statements[i];
    const opens = opensBlock(st.tokens);
    let depth = opens ? blockDepth(st.tokens) : 0;
    // A DECLARE section is cut at each declaration's ';' before its BEGIN opens the block.
    let declaring = opens === 'declare' && !hasBegin(st.tokens);
    while ((depth > 0 || declaring) && i + 1 < statements.length) {
      const next = statements[++i];
      declaring &&= !hasBegin(next.tokens);
      depth += blockDepth(next.tokens);
      st = merge(st, next, text);
    }
    out.push({ ...st, index: out.length + 1 });
  }
  return out;
}

/**
 * Whether a statement starts a Snowflake Scripting block: an anonymous block (`DECLARE …` or
 * `BEGIN <statement> …`, not the `BEGIN [TRANSACTION]` of a transaction), or a task body
 * (CREATE TASK, ALTER TASK … MODIFY AS) written as one.
 */
function opensBlock(tokens: readonly Token[]): 'declare' | 'begin' | null {
  const at = (k: number): 'declare' | 'begin' | null =>
    tokens[k]?.value === 'DECLARE' ? 'declare' : isScriptBlock(tokens.slice(k)) ? 'begin' : null;
  if (tokens[0]?.kind === 'word' && at(0) !== null) return at(0);
  const words = tokens.slice(0, 8).map((t) => (t.kind === 'word' ? t.value : ''));
  const isTask = (words[0] === 'CREATE' && words.slice(1, 4).includes('TASK')) || (words[0] === 'ALTER' && words[1] === 'TASK');
  if (!isTask) return null;
  const as = tokens.findIndex(
    (t, k) => t.kind === 'word' && t.value === 'AS' && (tokens[k + 1]?.value === 'BEGIN' || tokens[k + 1]?.value === 'DECLARE'),
  );
  return as < 0 ? null : tokens[as + 1].value === 'DECLARE' ? 'declare' : 'begin';
}

const hasBegin = (tokens: readonly Token[]): boolean => tokens.some((t) => t.kind === 'word' && t.value === 'BEGIN');

/** Net BEGIN/CASE … END nesting a statement adds. */
function blockDepth(tokens: readonly Token[]): number {
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'word') continue;
    if (t.value === 'BEGIN' && TRANSACTION_WORDS.has(tokens[k + 1]?.value ?? '')) continue;
    if (t.value === 'BEGIN' || t.value === 'CASE') depth++;
    else if (t.value === 'END') {
      const after = tokens[k + 1];
      if (after?.kind === 'word' && END_OF_OTHER.has(after.value)) continue;
      if (after?.kind === 'word' && after.value === 'CASE') k++;
      depth--;
    }
  }
  return depth;
}

function merge(a: Statement, b: Statement, text: string): Statement {
  const shift = b.offset - a.offset;
  const semicolon = text.lastIndexOf(';', b.offset) - a.offset;
  const tokens: Token[] = [
    ...a.tokens,
    { kind: 'punct', value: ';', start: semicolon, end: semicolon + 1, line: b.line },
    ...b.tokens.map((t) => ({ ...t, start: t.start + shift, end: t.end + shift })),
  ];
  return { ...a, text: text.slice(a.offset, b.offset + b.text.length), tokens };
}
