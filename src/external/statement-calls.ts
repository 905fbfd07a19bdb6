import type { FunctionArg, FunctionCallContext } from '../warehouse/index.js';
import type { ExternalFunction } from './records.js';

/** The values one function gave for one argument text, in the order rows took them. */
interface Answers {
  readonly values: unknown[];
  /** How many of `values` the current pass has handed out. */
  used: number;
}

/** Rows of one external function still waiting for an answer, one argument text per row. */
export interface Missing {
  readonly fn: ExternalFunction;
  readonly ctx: FunctionCallContext;
  readonly rows: string[];
}

/**
 * What the SQL functions of one statement have answered so far, so the statement can be run again
 * with its external calls answered from memory.
 *
 * DuckDB calls a SQL function synchronously and waits; a network call cannot happen there without
 * freezing the serving thread. So a statement that calls external functions runs in passes: a
 * pass looks every call up here; a call not answered yet is recorded as missing and answered NULL,
 * the pass is rolled back, the missing rows are sent asynchronously, and the next pass looks them
 * up. The first pass without a missing answer is the statement's result.
 *
 * Each row is its own call (Snowflake's external functions are volatile), so rows with the same
 * arguments take successive answers. Built-in functions are memoised the same way while passes
 * repeat, so one that acts (train_and_get_recommendations starts a job) acts once per row.
 */
export class StatementCalls {
  private readonly answers = new Map<string, Map<string, Answers>>();
  private readonly missing = new Map<string, Missing>();

  /**
   * @param replaying whether this statement is run in rolled-back passes; when false (a first pass
   * run as is), a missing answer must fail the pass at once, and built-ins run unmemoised.
   */
  constructor(public replaying: boolean) {}

  /** Starts a pass: answers are handed out from the first again. */
  newPass(): void {
    for (const byText of this.answers.values()) for (const a of byText.values()) a.used = 0;
  }

  hasMissing(): boolean {
    return this.missing.size > 0;
  }

  /** The missing rows, each function's once, and forgets them (their answers are about to be added). */
  takeMissing(): Missing[] {
    const all = [...this.missing.values()];
    this.missing.clear();
    return all;
  }

  /** Answers for the rows with these argument texts (null: a row answered NULL without a call); returns how many were missing. */
  lookup(key: string, fn: ExternalFunction, ctx: FunctionCallContext, texts: readonly (string | null)[], out: unknown[]): number {
    const byText = this.answersOf(key);
    let missed = 0;
    for (let r = 0; r < texts.length; r++) {
      const text = texts[r];
      if (text === null) {
        out[r] = null;
        continue;
      }
      const a = byText.get(text);
      if (a !== undefined && a.used < a.values.length) {
        out[r] = a.values[a.used++];
        continue;
      }
      out[r] = null;
      missed++;
      let m = this.missing.get(key);
      if (m === undefined) this.missing.set(key, (m = { fn, ctx, rows: [] }));
      m.rows.push(text);
    }
    return missed;
  }

  /** Records answers of `key`'s function for rows sent with these argument texts, in order. */
  add(key: string, texts: readonly string[], values: readonly unknown[]): void {
    const byText = this.answersOf(key);
    for (let r = 0; r < texts.length; r++) {
      const a = byText.get(texts[r]);
      if (a === undefined) byText.set(texts[r], { values: [values[r]], used: 0 });
      else a.values.push(values[r]);
    }
  }

  /** A built-in's values for one vector: from earlier passes where rows repeat, computed (once, for those rows only) for the rest. */
  memo(key: string, texts: readonly (string | null)[], args: readonly (readonly FunctionArg[])[], compute: (args: FunctionArg[][], rows: number) => ArrayLike<unknown>): unknown[] {
    const byText = this.answersOf(key);
    const out = new Array<unknown>(texts.length);
    const todo: number[] = [];
    for (let r = 0; r < texts.length; r++) {
      const a = byText.get(texts[r] ?? '');
      if (a !== undefined && a.used < a.values.length) out[r] = a.values[a.used++];
      else todo.push(r);
    }
    if (todo.length === 0) return out;
    const computed = compute(args.map((column) => todo.map((r) => column[r])), todo.length);
    todo.forEach((r, k) => {
      const text = texts[r] ?? '';
      let a = byText.get(text);
      if (a === undefined) byText.set(text, (a = { values: [], used: 0 }));
      a.values.push(computed[k]);
      a.used++;
      out[r] = computed[k];
    });
    return out;
  }

  private answersOf(key: string): Map<string, Answers> {
    let byText = this.answers.get(key);
    if (byText === undefined) this.answers.set(key, (byText = new Map()));
    return byText;
  }
}
