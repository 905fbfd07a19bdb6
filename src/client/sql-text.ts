import { scanStatements } from '../sql/tokens.js';

/** One statement cut from a script, with the 1-based line it starts on (for error messages). */
export interface ScriptStatement {
  readonly text: string;
  readonly line: number;
}

/**
 * The statements of a script, cut by recpipe's one splitter (src/sql/tokens.ts). A final statement
 * may omit its `;` (`recpipe sql -q "select 1"`); one left inside an unterminated quote or comment is
 * passed on whole, so the engine reports what is wrong with it.
 */
export function splitStatements(text: string): ScriptStatement[] {
  const scan = scanStatements(text);
  const out: ScriptStatement[] = scan.statements.map((s) => ({ text: s.text, line: s.line }));
  if (scan.open !== null) {
    const last = scan.statements[scan.statements.length - 1];
    const from = last && !scan.endsAtSemicolon && tokenEndsBefore(text, last, scan.open) ? last.offset : scan.open;
    if (from === last?.offset) out.pop();
    else if (text.startsWith('/*', from)) return out;
    out.push({ text: text.slice(from).trim(), line: lineAt(text, from) });
  }
  return out;
}

/** Whether a REPL buffer holds at least one statement and ends at a `;` outside quotes and comments. */
export function endsStatement(buffer: string): boolean {
  const scan = scanStatements(buffer);
  return scan.open === null && scan.endsAtSemicolon && scan.statements.length > 0;
}

/** The open construct continues the last statement (no `;` between them). */
function tokenEndsBefore(text: string, last: { offset: number; text: string }, open: number): boolean {
  return !text.slice(last.offset + last.text.length, open).includes(';');
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text[i] === '\n') line++;
  return line;
}
