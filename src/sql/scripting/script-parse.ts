import { compilation } from '../errors.js';
import { tokenize, type Token } from '../tokens.js';

/**
 * Snowflake Scripting, parsed into a small tree whose leaves keep their SQL as text: expressions
 * and conditions are evaluated as `SELECT <expr>`, statements are run as written (with `:name`
 * bound), so the dialect has one parser for SQL and this one only reads the scripting words.
 */

/** A piece of the script's text: SQL with the offsets of its words, for naming variables in it. */
export interface Sql {
  readonly text: string;
  readonly tokens: readonly Token[];
  readonly line: number;
}

export type Declaration =
  | { readonly kind: 'var'; readonly name: string; readonly value: Sql | null }
  | { readonly kind: 'cursor'; readonly name: string; readonly query: Sql }
  | { readonly kind: 'resultset'; readonly name: string; readonly query: Sql | null }
  | { readonly kind: 'exception'; readonly name: string; readonly code: number; readonly message: string };

export interface Block {
  readonly declarations: readonly Declaration[];
  readonly body: readonly Step[];
  readonly handlers: readonly Handler[] | null;
}

export interface Handler {
  /** Upper-case exception names, STATEMENT_ERROR, EXPRESSION_ERROR or OTHER. */
  readonly names: readonly string[];
  readonly body: readonly Step[];
}

export type Step =
  | { readonly kind: 'block'; readonly block: Block }
  | { readonly kind: 'declare'; readonly declaration: Declaration }
  | { readonly kind: 'assign'; readonly name: string; readonly value: Sql }
  | { readonly kind: 'if'; readonly branches: readonly { cond: Sql; body: readonly Step[] }[]; readonly otherwise: readonly Step[] }
  | {
      readonly kind: 'case';
      readonly subject: Sql | null;
      readonly branches: readonly { when: Sql; body: readonly Step[] }[];
      readonly otherwise: readonly Step[] | null;
    }
  | {
      readonly kind: 'range';
      readonly name: string;
      readonly from: Sql;
      readonly to: Sql;
      readonly reverse: boolean;
      readonly body: readonly Step[];
    }
  | { readonly kind: 'each'; readonly name: string; readonly source: string; readonly body: readonly Step[] }
  | { readonly kind: 'while'; readonly cond: Sql; readonly body: readonly Step[] }
  | { readonly kind: 'repeat'; readonly cond: Sql; readonly body: readonly Step[] }
  | { readonly kind: 'loop'; readonly body: readonly Step[] }
  | { readonly kind: 'break' | 'continue' }
  | { readonly kind: 'return'; readonly value: Sql | null; readonly table: string | null }
  | { readonly kind: 'raise'; readonly name: string | null }
  | { readonly kind: 'sql'; readonly sql: Sql; readonly into: readonly string[] }
  | { readonly kind: 'nothing' };

/** Words that end a list of steps (the construct around it continues there). */
const ENDS = new Set(['END', 'ELSE', 'ELSEIF', 'WHEN', 'EXCEPTION', 'UNTIL']);
const TRANSACTION_WORDS = new Set(['TRANSACTION', 'WORK', 'NAME']);

/**
 * Whether a statement is a Snowflake Scripting block: `DECLARE … BEGIN … END`, or `BEGIN … END`
 * (a bare `BEGIN` or `BEGIN TRANSACTION|WORK` starts a transaction instead).
 */
export function isScriptBlock(tokens: readonly Token[]): boolean {
  const [first, second] = tokens;
  if (first?.kind !== 'word') return false;
  if (first.value === 'DECLARE') return true;
  return (
    first.value === 'BEGIN' &&
    second !== undefined &&
    !(second.kind === 'word' && TRANSACTION_WORDS.has(second.value)) &&
    second.value !== ';'
  );
}

/** Parses a block (`[DECLARE …] BEGIN … [EXCEPTION …] END [;]`), the whole of `text`. */
export function parseScript(text: string): Block {
  const r = new Reader(text);
  const block = r.block();
  r.accept(';');
  if (!r.done()) r.fail('end of the block');
  return block;
}

class Reader {
  private readonly tokens: Token[];
  private i = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  done(): boolean {
    return this.i >= this.tokens.length;
  }

  private peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }

  private isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.kind === 'word' && t.value === word;
  }

  accept(value: string): boolean {
    const t = this.peek();
    if (t && (t.kind === 'word' || t.kind === 'punct' || t.kind === 'op') && t.value === value) {
      this.i++;
      return true;
    }
    return false;
  }

  private expect(...values: string[]): void {
    for (const v of values) if (!this.accept(v)) this.fail(`'${v}'`);
  }

  fail(what: string): never {
    const t = this.peek();
    const last = this.tokens[this.tokens.length - 1];
    const [line, at] = t ? [t.line, t.start] : [last?.line ?? 1, last?.end ?? 0];
    const position = at - this.text.lastIndexOf('\n', at - 1) - 1;
    const near = t ? this.text.slice(t.start, t.end) : '<EOF>';
    throw compilation('INVALID_ARGUMENT', `syntax error line ${line} at position ${position} unexpected '${near}', expected ${what}.`);
  }

  private name(): string {
    const t = this.peek();
    if (t?.kind !== 'word' && t?.kind !== 'quoted') this.fail('a name');
    this.i++;
    return t.value;
  }

  /** `:=` is read as two tokens (`:` then `=`). */
  private acceptAssign(): boolean {
    const [a, b] = [this.peek(), this.peek(1)];
    if (a?.value === ':' && b?.value === '=' && a.end === b.start) {
      this.i += 2;
      return true;
    }
    return false;
  }

  /** SQL up to (not including) the first of `stops` at nesting depth 0 (a stop is a punctuation or a word). */
  private sqlUntil(stops: readonly string[]): Sql {
    const from = this.i;
    let depth = 0;
    while (!this.done()) {
      const t = this.peek()!;
      if (depth === 0 && (t.kind === 'word' || t.kind === 'punct') && stops.includes(t.value)) break;
      if (t.value === '(' && t.kind === 'punct') depth++;
      if (t.value === ')' && t.kind === 'punct') depth--;
      // A CASE expression's END is not the end of a step.
      if (t.kind === 'word' && t.value === 'CASE') depth++;
      if (t.kind === 'word' && t.value === 'END' && depth > 0) depth--;
      this.i++;
    }
    if (this.i === from) this.fail('an expression');
    return this.slice(from, this.i);
  }

  private slice(from: number, to: number): Sql {
    const first = this.tokens[from];
    const last = this.tokens[to - 1];
    const text = this.text.slice(first.start, last.end);
    const tokens = this.tokens.slice(from, to).map((t) => ({ ...t, start: t.start - first.start, end: t.end - first.start }));
    return { text, tokens, line: first.line };
  }

  block(): Block {
    const declarations: Declaration[] = [];
    if (this.accept('DECLARE')) {
      while (!this.isWord('BEGIN')) {
        declarations.push(this.declaration(false));
        this.expect(';');
      }
    }
    this.expect('BEGIN');
    const body = this.steps();
    let handlers: Handler[] | null = null;
    if (this.accept('EXCEPTION')) {
      handlers = [];
      while (this.accept('WHEN')) {
        const names = [this.name()];
        while (this.accept('OR')) names.push(this.name());
        this.expect('THEN');
        handlers.push({ names, body: this.steps() });
      }
    }
    this.expect('END');
    return { declarations, body, handlers };
  }

  /** `name [type] [DEFAULT|:= expr]`, `name CURSOR FOR query`, `name RESULTSET [:= (query)]`, `name EXCEPTION [(code, 'message')]`. */
  private declaration(isLet: boolean): Declaration {
    const name = this.name();
    if (this.accept('CURSOR')) {
      this.expect('FOR');
      return { kind: 'cursor', name, query: this.sqlUntil([';']) };
    }
    if (this.accept('RESULTSET')) {
      const query = this.accept('DEFAULT') || this.acceptAssign() ? this.sqlUntil([';']) : null;
      return { kind: 'resultset', name, query };
    }
    if (!isLet && this.accept('EXCEPTION')) {
      if (!this.accept('(')) return { kind: 'exception', name, code: -20000, message: '' };
      const code = Number(this.sqlUntil([',']).text);
      this.expect(',');
      const message = this.peek();
      if (message?.kind !== 'string') this.fail('an exception message string');
      this.i++;
      this.expect(')');
      return { kind: 'exception', name, code, message: message.value };
    }
    // The type, if any, is not enforced: values keep the type their expression has.
    while (!this.done() && !this.isWord('DEFAULT') && this.peek()!.value !== ';' && this.peek()!.value !== ':') this.i++;
    if (this.accept('DEFAULT') || this.acceptAssign()) return { kind: 'var', name, value: this.sqlUntil([';']) };
    return { kind: 'var', name, value: null };
  }

  /** Steps up to a word that ends the list (END, ELSE, WHEN …), each ending with ';'. */
  private steps(): Step[] {
    const out: Step[] = [];
    while (!this.done() && !(this.peek()!.kind === 'word' && ENDS.has(this.peek()!.value))) {
      out.push(this.step());
      this.expect(';');
    }
    return out;
  }

  private step(): Step {
    const t = this.peek()!;
    if (t.kind === 'word') {
      switch (t.value) {
        case 'DECLARE':
          return { kind: 'block', block: this.block() };
        case 'BEGIN':
          if (isScriptBlock(this.tokens.slice(this.i))) return { kind: 'block', block: this.block() };
          break;
        case 'LET':
          this.i++;
          return { kind: 'declare', declaration: this.declaration(true) };
        case 'IF':
          return this.ifStep();
        case 'CASE':
          return this.caseStep();
        case 'FOR':
          return this.forStep();
        case 'WHILE': {
          this.i++;
          const cond = this.sqlUntil(['DO', 'LOOP']);
          const word = this.loopBody();
          return { kind: 'while', cond, body: this.endLoop(word, 'WHILE') };
        }
        case 'REPEAT': {
          this.i++;
          const body = this.steps();
          this.expect('UNTIL');
          const cond = this.sqlUntil(['END']);
          this.expect('END', 'REPEAT');
          return { kind: 'repeat', cond, body };
        }
        case 'LOOP': {
          this.i++;
          const body = this.steps();
          this.expect('END', 'LOOP');
          return { kind: 'loop', body };
        }
        case 'BREAK':
        case 'EXIT':
          this.i++;
          return { kind: 'break' };
        case 'CONTINUE':
        case 'ITERATE':
          this.i++;
          return { kind: 'continue' };
        case 'RETURN':
          return this.returnStep();
        case 'RAISE':
          this.i++;
          return { kind: 'raise', name: this.peek()?.value === ';' ? null : this.name() };
        case 'NULL':
          if (this.peek(1)?.value === ';') {
            this.i++;
            return { kind: 'nothing' };
          }
          break;
        case 'OPEN':
        case 'CLOSE':
          // Cursors are opened by the FOR that reads them.
          this.i += 2;
          return { kind: 'nothing' };
      }
    }
    if ((t.kind === 'word' || t.kind === 'quoted') && this.peek(1)?.value === ':' && this.peek(2)?.value === '=') {
      const name = this.name();
      this.acceptAssign();
      return { kind: 'assign', name, value: this.sqlUntil([';']) };
    }
    return this.sqlStep();
  }

  private ifStep(): Step {
    const branches: { cond: Sql; body: Step[] }[] = [];
    this.expect('IF');
    do {
      const cond = this.sqlUntil(['THEN']);
      this.expect('THEN');
      branches.push({ cond, body: this.steps() });
    } while (this.accept('ELSEIF'));
    const otherwise = this.accept('ELSE') ? this.steps() : [];
    this.expect('END', 'IF');
    return { kind: 'if', branches, otherwise };
  }

  private caseStep(): Step {
    this.expect('CASE');
    const subject = this.isWord('WHEN') ? null : this.sqlUntil(['WHEN']);
    const branches: { when: Sql; body: Step[] }[] = [];
    while (this.accept('WHEN')) {
      const when = this.sqlUntil(['THEN']);
      this.expect('THEN');
      branches.push({ when, body: this.steps() });
    }
    const otherwise = this.accept('ELSE') ? this.steps() : null;
    this.expect('END', 'CASE');
    return { kind: 'case', subject, branches, otherwise };
  }

  private forStep(): Step {
    this.expect('FOR');
    const name = this.name();
    this.expect('IN');
    const reverse = this.accept('REVERSE');
    const t = this.peek();
    if ((t?.kind === 'word' || t?.kind === 'quoted') && (this.isWord('DO', 1) || this.isWord('LOOP', 1))) {
      const source = this.name();
      const word = this.loopBody();
      return { kind: 'each', name, source, body: this.endLoop(word, 'FOR') };
    }
    const from = this.sqlUntil(['TO']);
    this.expect('TO');
    const to = this.sqlUntil(['DO', 'LOOP']);
    const word = this.loopBody();
    return { kind: 'range', name, from, to, reverse, body: this.endLoop(word, 'FOR') };
  }

  private loopBody(): string {
    if (this.accept('DO')) return 'DO';
    this.expect('LOOP');
    return 'LOOP';
  }

  /** A loop opened with DO ends with END FOR|WHILE; one opened with LOOP ends with END LOOP. */
  private endLoop(word: string, kind: string): Step[] {
    const body = this.steps();
    this.expect('END', word === 'DO' ? kind : 'LOOP');
    return body;
  }

  private returnStep(): Step {
    this.expect('RETURN');
    if (this.peek()?.value === ';') return { kind: 'return', value: null, table: null };
    if (this.isWord('TABLE') && this.peek(1)?.value === '(' && this.peek(3)?.value === ')') {
      this.i += 2;
      const table = this.name();
      this.expect(')');
      return { kind: 'return', value: null, table };
    }
    return { kind: 'return', value: this.sqlUntil([';']), table: null };
  }

  /** A SQL statement; `SELECT … INTO :a, :b FROM …` assigns the first row's values. */
  private sqlStep(): Step {
    const from = this.i;
    const sql = this.sqlUntil([';']);
    const into: string[] = [];
    const tokens = sql.tokens;
    const at = tokens[0]?.value === 'SELECT' ? tokens.findIndex((t) => t.kind === 'word' && t.value === 'INTO') : -1;
    if (at < 0) return { kind: 'sql', sql, into };
    let k = at + 1;
    while (tokens[k]?.value === ':' && (tokens[k + 1]?.kind === 'word' || tokens[k + 1]?.kind === 'quoted')) {
      into.push(tokens[k + 1].value);
      k += 2;
      if (tokens[k]?.value !== ',') break;
      k++;
    }
    if (into.length === 0) return { kind: 'sql', sql, into };
    // The statement without its INTO clause.
    const text = sql.text.slice(0, tokens[at].start) + sql.text.slice(tokens[k - 1].end);
    return { kind: 'sql', sql: { ...readSql(text), line: this.tokens[from].line }, into };
  }
}

/** SQL text with its tokens (for statements the script builds, such as a SELECT without its INTO). */
export function readSql(text: string, line = 1): Sql {
  return { text, tokens: tokenize(text), line };
}
