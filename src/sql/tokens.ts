import { invalid } from '../core/errors.js';

/**
 * word: an unquoted identifier or keyword (value upper-cased, as Snowflake resolves it);
 * quoted: a "double-quoted" identifier (value kept exactly, "" unescaped);
 * string: a 'single-quoted' or $$dollar-quoted$$ string (value unescaped);
 * number, param (?), op (operators), punct ( ) , . ; [ ] { }.
 */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'op' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** Upper-cased word, unescaped identifier or string, or the raw text of other tokens. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** 1-based line of the token's first character. */
  readonly line: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const OPERATORS = [
  '->>',
  '::',
  '||',
  '<=',
  '>=',
  '<>',
  '!=',
  '=>',
  '->',
  '==',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  ':',
  '^',
  '&',
  '|',
  '~',
  '!',
  '@',
];
const PUNCT = '(),.;[]{}';

/** Snowflake's backslash escapes in single-quoted strings. */
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', Z: '\x1a' };

export function tokenize(text: string): Token[] {
  return scan(text, false).tokens;
}

class Unterminated extends Error {
  constructor(readonly at: number) {
    super('unterminated');
  }
}

/**
 * Reads tokens up to the end, or (when `partial`) up to a string, quoted identifier, $$ body or
 * block comment the text leaves open, whose offset is then `open`; otherwise those fail naming
 * their line and position.
 */
function scan(text: string, partial: boolean): { tokens: Token[]; open: number | null } {
  const tokens: Token[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const fail = (pos: number, what: string): never => {
    if (partial && what.startsWith('unterminated')) throw new Unterminated(pos);
    const line = lineOf(pos);
    throw invalid(`SQL compilation error: ${what} at line ${line}, position ${pos - lineStarts[line - 1] + 1}`, { line });
  };
  let i = 0;
  try {
    while (i < text.length) {
      const c = text[i];
      const start = i;
      const push = (kind: TokenKind, value: string): void => {
        tokens.push({ kind, value, start, end: i, line: lineOf(start) });
      };
      if (/\s/.test(c)) {
        i++;
      } else if ((c === '-' && text[i + 1] === '-') || (c === '/' && text[i + 1] === '/')) {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && text[i + 1] === '*') {
        const close = text.indexOf('*/', i + 2);
        if (close < 0) fail(i, 'unterminated /* comment');
        i = close + 2;
      } else if (c === "'") {
        const value = readQuotedString(text, i, fail);
        i = value.end;
        push('string', value.value);
      } else if (c === '$' && text[i + 1] === '$') {
        const close = text.indexOf('$$', i + 2);
        if (close < 0) fail(i, 'unterminated $$ string');
        i = close + 2;
        push('string', text.slice(start + 2, close));
      } else if (c === '"') {
        let value = '';
        let run = ++i;
        for (;;) {
          if (i >= text.length) fail(start, 'unterminated quoted identifier');
          if (text[i] === '"') {
            if (text[i + 1] !== '"') break;
            value += text.slice(run, i + 1);
            i += 2;
            run = i;
          } else {
            i++;
          }
        }
        value += text.slice(run, i);
        i++;
        push('quoted', value);
      } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
        const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
        i += m![0].length;
        push('number', m![0]);
      } else if (WORD_START.test(c)) {
        while (i < text.length && WORD_PART.test(text[i])) i++;
        // An unquoted file URL (drivers send `PUT file:///tmp/a.csv @~`) is one word, not FILE, ':' and a // comment.
        if (text.startsWith('://', i) && text.slice(start, i).toUpperCase() === 'FILE')
          while (i < text.length && !/[\s;']/.test(text[i])) i++;
        push('word', text.slice(start, i).toUpperCase());
      } else if (c === '$' && WORD_PART.test(text[i + 1] ?? '')) {
        // $1 (a positional column) or $name (a session variable)
        i++;
        while (i < text.length && WORD_PART.test(text[i])) i++;
        push('word', text.slice(start, i).toUpperCase());
      } else if (c === '?') {
        i++;
        push('param', '?');
      } else if (PUNCT.includes(c)) {
        i++;
        push('punct', c);
      } else {
        const op = OPERATORS.find((o) => text.startsWith(o, i));
        if (!op) fail(i, `unexpected character '${c}'`);
        i += op!.length;
        push('op', op!);
      }
    }
  } catch (e) {
    if (e instanceof Unterminated) return { tokens, open: e.at };
    throw e;
  }
  return { tokens, open: null };
}

/**
 * A string literal's value. Plain characters are taken in runs (one slice each), not appended one by
 * one: a character-by-character value is a chain of one V8 cons-string per character (~32 bytes
 * each), so a 2 KB literal held 64 KB, and a request of 2,000 such INSERTs 120 MB until it ended.
 */
function readQuotedString(text: string, from: number, fail: (pos: number, what: string) => never): { value: string; end: number } {
  let value = '';
  let i = from + 1;
  let run = i;
  for (;;) {
    if (i >= text.length) fail(from, 'unterminated string literal');
    const c = text[i];
    if (c === "'") {
      if (text[i + 1] !== "'") return { value: value + text.slice(run, i), end: i + 1 };
      value += text.slice(run, i + 1);
      i += 2;
      run = i;
    } else if (c === '\\' && i + 1 < text.length) {
      const e = text[i + 1];
      value += text.slice(run, i) + (ESCAPES[e] ?? e);
      i += 2;
      run = i;
    } else {
      i++;
    }
  }
}

export interface Statement {
  /** The statement's text as written (from its first token to its last). */
  readonly text: string;
  readonly tokens: readonly Token[];
  /** 1-based position among the non-empty statements of the request. */
  readonly index: number;
  readonly line: number;
  /** Offset of the statement's first token in the whole request text (token offsets are relative to it). */
  readonly offset: number;
}

/**
 * Splits a request into statements at top-level semicolons; strings, identifiers and comments may
 * hold ';'. This is recpipe's one statement splitter: the engine, the CLI's scripts and the REPL
 * (src/client/sql-text.ts) all cut SQL here.
 */
export function splitStatements(text: string): Statement[] {
  return statementsOf(text, tokenize(text));
}

/**
 * The statements of a text that may end inside a string, quoted identifier, $$ body or block
 * comment (a script being typed): the complete ones, whether the text `endsAtSemicolon`, and the
 * offset of what is left open (null when nothing is).
 */
export function scanStatements(text: string): { statements: Statement[]; open: number | null; endsAtSemicolon: boolean } {
  const { tokens, open } = scan(text, true);
  const last = tokens[tokens.length - 1];
  return { statements: statementsOf(text, tokens), open, endsAtSemicolon: last?.kind === 'punct' && last.value === ';' };
}

function statementsOf(text: string, all: readonly Token[]): Statement[] {
  const statements: Statement[] = [];
  let current: Token[] = [];
  const flush = (): void => {
    if (current.length === 0) return;
    const offset = current[0].start;
    const tokens = current.map((t) => ({ ...t, start: t.start - offset, end: t.end - offset }));
    statements.push({
      text: text.slice(offset, current[current.length - 1].end),
      tokens,
      index: statements.length + 1,
      line: current[0].line,
      offset,
    });
    current = [];
  };
  for (const t of all) {
    if (t.kind === 'punct' && t.value === ';') flush();
    else current.push(t);
  }
  flush();
  return statements;
}

/** The index of the `)` that closes the `(` at `open`, or -1 when it is never closed. */
export function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j].kind !== 'punct') continue;
    if (tokens[j].value === '(') depth++;
    else if (tokens[j].value === ')' && --depth === 0) return j;
  }
  return -1;
}

/** The index just past the `)` that closes the `(` at `open`; the end of the tokens when it is never closed. */
export function pastClosingParen(tokens: readonly Token[], open: number): number {
  const close = closingParen(tokens, open);
  return close === -1 ? tokens.length : close + 1;
}
