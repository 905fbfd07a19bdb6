import type { FunctionArg, FunctionCallContext } from '../warehouse/index.js';
import type { ExternalFunction } from './records.js';

/**
 * Values by argument tuple: one map level per argument, keyed by the argument's value (numbers,
 * strings, bigints compare by value), the last level holding the values. Plain values as keys
 * cost a hash lookup per argument, where a key built from the tuple would cost a string per row.
 */
type Trie = Map<FunctionArg, unknown>;

function find(trie: Trie, args: readonly (readonly FunctionArg[])[], r: number): unknown {
  if (args.length === 0) return trie.get(null);
  let node: unknown = trie;
  for (let c = 0; c < args.length && node !== undefined; c++) node = (node as Trie).get(args[c][r]);
  return node;
}

function put(trie: Trie, tuple: readonly FunctionArg[], value: unknown): void {
  if (tuple.length === 0) return void trie.set(null, value);
  let node = trie;
  for (let c = 0; c < tuple.length - 1; c++) {
    let next = node.get(tuple[c]) as Trie | undefined;
    if (next === undefined) node.set(tuple[c], (next = new Map()));
    node = next;
  }
  node.set(tuple[tuple.length - 1], value);
}

const tupleOf = (args: readonly (readonly FunctionArg[])[], r: number): FunctionArg[] => args.map((column) => column[r]);

/** The values a built-in gave for one argument tuple, in the order rows took them. */
interface Memo {
  readonly values: unknown[];
  /** How many of `values` the current pass has handed out. */
  used: number;
}

/** Marks a tuple that is missing an answer, so it is sent once however many rows carry it. */
const PENDING = Symbol('pending');

/** Distinct argument tuples of one external function still waiting for an answer, column by column. */
export interface Missing {
  readonly fn: ExternalFunction;
  readonly ctx: FunctionCallContext;
  readonly columns: FunctionArg[][];
  /** For each tuple, the trie level that takes its answer under its last argument. */
  readonly leaves: Trie[];
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
 * Each distinct argument tuple of a function is sent once per statement, and rows with the same
 * arguments share its answer. Built-in functions are memoised per row while passes repeat, so one
 * that acts (train_and_get_recommendations starts a job) acts once per row, not once per pass.
 */
export class StatementCalls {
  private readonly answers = new Map<string, Trie>();
  private readonly memos = new Map<string, Trie>();
  private readonly allMemos: Memo[] = [];
  private readonly missing = new Map<string, Missing>();

  /**
   * @param replaying whether this statement is run in rolled-back passes; when false (a first pass
   * run as is), a missing answer must fail the pass at once, and built-ins run unmemoised.
   */
  constructor(public replaying: boolean) {}

  /** Starts a pass: memoised built-in values are handed out from the first again. */
  newPass(): void {
    for (const m of this.allMemos) m.used = 0;
  }

  hasMissing(): boolean {
    return this.missing.size > 0;
  }

  /** The missing tuples, each function's once, and forgets them (their answers are about to be added). */
  takeMissing(): Missing[] {
    const all = [...this.missing.values()];
    this.missing.clear();
    return all;
  }

  /**
   * Answers for one vector of rows into `out` (NULL, without a call, for a row with a NULL argument
   * when the function returns NULL on NULL input); returns how many rows were missing an answer.
   */
  lookup(
    key: string,
    fn: ExternalFunction,
    ctx: FunctionCallContext,
    args: readonly (readonly FunctionArg[])[],
    rows: number,
    out: unknown[],
  ): number {
    const trie = this.trieOf(this.answers, key);
    const last = args.length - 1;
    let missed = 0;
    for (let r = 0; r < rows; r++) {
      if (fn.nullOnNullInput && args.some((column) => column[r] === null)) {
        out[r] = null;
        continue;
      }
      let leaf = trie;
      for (let c = 0; c < last; c++) {
        let next = leaf.get(args[c][r]) as Trie | undefined;
        if (next === undefined) leaf.set(args[c][r], (next = new Map()));
        leaf = next;
      }
      const lastArg = last < 0 ? null : args[last][r];
      const value = leaf.get(lastArg);
      if (value !== undefined && value !== PENDING) {
        out[r] = value;
        continue;
      }
      out[r] = null;
      missed++;
      if (value === PENDING) continue;
      leaf.set(lastArg, PENDING);
      let m = this.missing.get(key);
      if (m === undefined) this.missing.set(key, (m = { fn, ctx, columns: args.map(() => []), leaves: [] }));
      for (let c = 0; c <= last; c++) m.columns[c].push(args[c][r]);
      m.leaves.push(leaf);
    }
    return missed;
  }

  /** Records the answer for tuple `k` of a batch of missing tuples. */
  answer(m: Missing, k: number, value: unknown): void {
    const last = m.columns.length - 1;
    m.leaves[k].set(last < 0 ? null : m.columns[last][k], value);
  }

  /** A built-in's values for one vector: from earlier passes where rows repeat, computed (once, for those rows only) for the rest. */
  memo(
    key: string,
    args: readonly (readonly FunctionArg[])[],
    rows: number,
    compute: (args: FunctionArg[][], rows: number) => ArrayLike<unknown>,
  ): unknown[] {
    const trie = this.trieOf(this.memos, key);
    const out = new Array<unknown>(rows);
    const todo: number[] = [];
    for (let r = 0; r < rows; r++) {
      const m = find(trie, args, r) as Memo | undefined;
      if (m !== undefined && m.used < m.values.length) out[r] = m.values[m.used++];
      else todo.push(r);
    }
    if (todo.length === 0) return out;
    const computed = compute(
      args.map((column) => todo.map((r) => column[r])),
      todo.length,
    );
    todo.forEach((r, k) => {
      let m = find(trie, args, r) as Memo | undefined;
      if (m === undefined) {
        put(trie, tupleOf(args, r), (m = { values: [], used: 0 }));
        this.allMemos.push(m);
      }
      m.values.push(computed[k]);
      m.used++;
      out[r] = computed[k];
    });
    return out;
  }

  private trieOf(tries: Map<string, Trie>, key: string): Trie {
    let trie = tries.get(key);
    if (trie === undefined) tries.set(key, (trie = new Map()));
    return trie;
  }
}
