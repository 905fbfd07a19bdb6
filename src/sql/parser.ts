import { invalid } from '../core/errors.js';
import { identifierOf } from './identifiers.js';
import type { Statement, Token } from './tokens.js';

/** A property value of `name = value` option lists (`type = csv`, `null_if = ('', 'NULL')`, `skip_header = 1`). */
export type OptionValue = string | number | boolean | null | OptionValue[] | Options;
export type Options = Map<string, OptionValue>;

/**
 * A cursor over one statement's tokens for the recursive-descent parsers of recpipe-owned
 * statements. Errors name what was expected, what was found and where.
 */
export class Parser {
  private pos = 0;

  constructor(readonly statement: Statement) {}

  get tokens(): readonly Token[] {
    return this.statement.tokens;
  }

  get position(): number {
    return this.pos;
  }

  /** Moves to a token index (after a sub-parser such as `parseType` consumed tokens). */
  seek(pos: number): void {
    this.pos = pos;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  /** True when the next tokens are these words (consumed only if all match). */
  acceptWords(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) {
      const t = this.peek(k);
      if (t?.kind !== 'word' || t.value !== words[k]) return false;
    }
    this.pos += words.length;
    return true;
  }

  expectWords(...words: string[]): void {
    if (!this.acceptWords(...words)) this.fail(words.join(' '));
  }

  /** Consumes and returns the next word if it is one of `choices`. */
  acceptOneOf(choices: readonly string[]): string | null {
    const t = this.peek();
    if (t?.kind === 'word' && choices.includes(t.value)) {
      this.pos++;
      return t.value;
    }
    return null;
  }

  expectOneOf(choices: readonly string[]): string {
    return this.acceptOneOf(choices) ?? this.fail(choices.join(' | '));
  }

  acceptPunct(p: string): boolean {
    const t = this.peek();
    if ((t?.kind === 'punct' || t?.kind === 'op') && t.value === p) {
      this.pos++;
      return true;
    }
    return false;
  }

  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) this.fail(`'${p}'`);
  }

  identifier(what = 'identifier'): string {
    const id = identifierOf(this.peek());
    if (id === null) return this.fail(what);
    this.pos++;
    return id;
  }

  /** A dotted name of one to `maxParts` parts, each unquoted (upper-cased) or quoted (kept). */
  objectName(maxParts = 3, what = 'object name'): string[] {
    const parts = [this.identifier(what)];
    while (this.peek()?.kind === 'punct' && this.peek()!.value === '.') {
      this.pos++;
      parts.push(this.identifier(what));
    }
    if (parts.length > maxParts) this.failAt(this.pos - 1, `${what} with at most ${maxParts} parts`);
    return parts;
  }

  string(what = 'string literal'): string {
    const t = this.peek();
    if (t?.kind !== 'string') return this.fail(what);
    this.pos++;
    return t.value;
  }

  /** One option value: string, number, TRUE/FALSE, NONE/NULL, bare word, (list), or (nested options). */
  value(): OptionValue {
    const t = this.peek();
    if (!t) return this.fail('a value');
    if (t.kind === 'punct' && t.value === '(') return this.parenthesised();
    this.pos++;
    if (t.kind === 'string') return t.value;
    if (t.kind === 'number') return Number(t.value);
    if (t.kind === 'op' && t.value === '-' && this.peek()?.kind === 'number') return -Number(this.tokens[this.pos++].value);
    if (t.kind === 'word') {
      if (t.value === 'TRUE') return true;
      if (t.value === 'FALSE') return false;
      if (t.value === 'NULL') return null;
      return t.value;
    }
    this.pos--;
    return this.fail('a value');
  }

  private parenthesised(): OptionValue {
    this.expectPunct('(');
    const isOptions = this.peek()?.kind === 'word' && this.peek(1)?.kind === 'op' && this.peek(1)!.value === '=';
    if (isOptions) {
      const nested = this.options();
      this.expectPunct(')');
      return nested;
    }
    const items: OptionValue[] = [];
    if (this.acceptPunct(')')) return items;
    do items.push(this.value());
    while (this.acceptPunct(','));
    this.expectPunct(')');
    return items;
  }

  /**
   * `NAME = value` pairs separated by spaces or commas, until a word that is not followed by '='
   * (e.g. a following clause) or the end. Flag options written alone (`FORCE`) are not options.
   */
  options(): Options {
    const opts: Options = new Map();
    for (;;) {
      this.acceptPunct(',');
      const t = this.peek();
      const eq = this.peek(1);
      if (t?.kind !== 'word' || !(eq?.kind === 'op' && eq.value === '=')) return opts;
      this.pos += 2;
      if (opts.has(t.value)) this.failAt(this.pos - 2, `option ${t.value} only once`);
      opts.set(t.value, this.value());
    }
  }

  expectEnd(): void {
    if (!this.atEnd()) this.fail('end of statement');
  }

  fail(expected: string): never {
    return this.failAt(this.pos, expected);
  }

  failAt(pos: number, expected: string): never {
    const t = this.tokens[pos];
    const found = t ? `'${t.kind === 'string' ? `'${t.value}'` : t.value}'` : 'end of statement';
    const where = t ? ` line ${t.line} at position ${t.start - (this.statement.text.lastIndexOf('\n', t.start - 1) + 1)}` : '';
    throw invalid(`SQL compilation error: syntax error${where} unexpected ${found}; expected ${expected}.`);
  }
}
