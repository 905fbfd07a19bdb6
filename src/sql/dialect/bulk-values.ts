import type { Token } from '../tokens.js';

/** An INSERT whose VALUES are many tuples of bind markers alone: what array binds become. */
export interface BulkValues {
  /** The statement up to the end of its first tuple: the one translated. */
  readonly head: string;
  readonly tuples: number;
}

/**
 * `INSERT … VALUES (?, ?), (?, ?), …`: the parser's cost grows with every tuple (most of a second per
 * thousand), yet all tuples translate alike, so the statement is translated with its first tuple and the
 * rendered tuple repeated (`expandValues`). Null for any other statement, or a single tuple.
 */
export function bulkValues(text: string, tokens: readonly Token[]): BulkValues | null {
  if (tokens[0]?.value !== 'INSERT') return null;
  let end = tokens.length;
  while (end > 0 && tokens[end - 1].value === ';') end--;
  // The tuples run from the end back to VALUES: `( ? , ? ) , ( ? , ? )` and nothing else.
  let i = end - 1;
  let width = -1;
  let tuples = 0;
  while (i >= 0 && tokens[i].value === ')') {
    let markers = 0;
    i--;
    while (i >= 0 && tokens[i].kind === 'param') {
      markers++;
      i--;
      if (tokens[i]?.value === ',' && tokens[i - 1]?.kind === 'param') i--;
    }
    if (markers === 0 || tokens[i]?.value !== '(' || (width !== -1 && markers !== width)) return null;
    width = markers;
    tuples++;
    i--;
    if (tokens[i]?.value === ',') i--;
    else break;
  }
  if (tuples < 2 || tokens[i]?.kind !== 'word' || tokens[i].value !== 'VALUES') return null;
  // The first tuple: `(`, the markers and their commas, `)`.
  return { head: text.slice(0, tokens[i + 2 * width + 1].end), tuples };
}

const LAST_TUPLE = /\(\s*\?(?:\s*,\s*\?)*\s*\)\s*$/;

/** The translated head with its tuple repeated `tuples` times; null when the rendered SQL does not end with it. */
export function expandValues(sql: string, tuples: number): string | null {
  const m = LAST_TUPLE.exec(sql);
  if (!m) return null;
  const tuple = m[0].trim();
  return sql.slice(0, m.index) + Array.from({ length: tuples }, () => tuple).join(', ');
}
