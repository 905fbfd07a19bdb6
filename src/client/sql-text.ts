/** One statement cut from a script, with the 1-based line it starts on (for error messages). */
export interface ScriptStatement {
  readonly text: string;
  readonly line: number;
}

interface Scan {
  statements: ScriptStatement[];
  /** True when the text ends inside a string, quoted identifier, `$$` body or block comment. */
  open: boolean;
  /** Significant text after the last `;`: a statement without its `;` yet. */
  rest: ScriptStatement | null;
}

/**
 * Cuts a script at the `;` that end statements, skipping those inside 'strings' (with '' or \'
 * escapes, as Snowflake reads them), "quoted identifiers", $$bodies$$, -- and // line comments and
 * block comments. Leading comments are dropped so each statement's line is that of its first token.
 */
function scan(text: string): Scan {
  const statements: ScriptStatement[] = [];
  let start = -1;
  let startLine = 1;
  let line = 1;
  let i = 0;
  const n = text.length;
  const rest = (): ScriptStatement | null => (start >= 0 ? { text: text.slice(start).trim(), line: startLine } : null);
  const finish = (end: number) => {
    if (start >= 0) statements.push({ text: text.slice(start, end).trim(), line: startLine });
    start = -1;
  };
  const begin = () => {
    if (start < 0) {
      start = i;
      startLine = line;
    }
  };
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return { statements, open: true, rest: rest() };
      line += countNewlines(text, i, end);
      i = end + 2;
    } else if (c === ';') {
      finish(i);
      i++;
    } else {
      begin();
      const end = c === "'" || c === '"' ? closeQuote(text, i, c) : c === '$' && next === '$' ? closeDollar(text, i) : i + 1;
      if (end < 0) return { statements, open: true, rest: rest() };
      line += countNewlines(text, i, end);
      i = end;
    }
  }
  return { statements, open: false, rest: rest() };
}

/** Index just past the quote closing the one at `from`, or -1 when the text ends first. */
function closeQuote(text: string, from: number, quote: string): number {
  for (let i = from + 1; i < text.length; i++) {
    if (quote === "'" && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (text[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return -1;
}

function closeDollar(text: string, from: number): number {
  const end = text.indexOf('$$', from + 2);
  return end < 0 ? -1 : end + 2;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text[i] === '\n') count++;
  return count;
}

/**
 * The statements of a script. A final statement may omit its `;` (`recpipe sql -q "select 1"`); one left
 * inside an unterminated quote is passed on whole, so the engine reports what is wrong with it.
 */
export function splitStatements(text: string): ScriptStatement[] {
  const s = scan(text);
  return s.rest ? [...s.statements, s.rest] : s.statements;
}

/** Whether a REPL buffer holds at least one statement and ends at a `;` outside quotes and comments. */
export function endsStatement(buffer: string): boolean {
  const s = scan(buffer);
  return !s.open && s.rest === null && s.statements.length > 0;
}
