import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { invalid, notFound } from '../../core/index.js';

/** What the first lines of a ratings file say about the rest: delimiter, header, columns, id kinds. */
export interface RatingsFileLayout {
  readonly delimiter: ',' | '\t' | ';';
  /** Lines before the first rating (blank lines and the header). */
  readonly headerLine: number;
  readonly fieldCount: number;
  /** 0-based field positions. */
  readonly columns: { readonly user: number; readonly item: number; readonly rating: number };
  /**
   * A numeric timestamp column (a header naming it `timestamp`, `time` or `ts`, or a headerless
   * fourth field), kept for time-ordered holdouts; null when absent or not numeric in the sample.
   */
  readonly timestampColumn: number | null;
  /** Ids that look numeric in the sample travel as doubles (four times faster than text). */
  readonly idKinds: { readonly user: 'number' | 'text'; readonly item: 'number' | 'text' };
  readonly expectedRows: number;
  fieldName(field: number): string;
}

const SAMPLE_BYTES = 1 << 16;
const USER_COLUMNS = ['user', 'userid', 'user_id', 'uid', 'u'];
const ITEM_COLUMNS = ['item', 'itemid', 'item_id', 'movie', 'movieid', 'movie_id', 'iid', 'i'];
const RATING_COLUMNS = ['rating', 'score', 'r', 'value'];
const TIME_COLUMNS = ['timestamp', 'time', 'ts'];
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Reads the first 64 KiB: refuses missing, empty and binary files by name, picks the delimiter
 * (tab or semicolon when the first line has them and no comma), treats a first line whose third
 * field is not a number as a header naming the columns (any order), and estimates the row count.
 */
export async function sniffRatingsFile(path: string): Promise<RatingsFileLayout> {
  const { sample, size } = await readSample(path);
  const nul = sample.indexOf(0);
  if (nul >= 0) throw invalid(`${path}: not a text file (a NUL byte at byte ${nul + 1}); expected lines of user,item,rating`, { path });
  const text = sample.toString('utf8');
  const lines = text.split('\n');
  if (size > sample.length) lines.pop();
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first === lines.length) throw invalid(`${path}: the file is empty (expected lines of user,item,rating)`, { path });
  const firstLine = lines[first].replace(/\r$/, '');
  const delimiter =
    firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  const fields = firstLine.split(delimiter).map(unquote);
  const header = fields.length >= 3 && !NUMBER.test(fields[2]);
  if (fields.length < 3)
    throw invalid(
      `${path}: line ${first + 1}: expected at least 3 fields (user, item, rating), got ${fields.length}: ${JSON.stringify(firstLine.slice(0, 80))}`,
      { path },
    );
  const columns = header ? resolveColumns(fields, path, first + 1) : { user: 0, item: 1, rating: 2 };
  const data = lines.slice(header ? first + 1 : first).filter((l) => l.trim() !== '');
  const numeric = (c: number) =>
    data.every((l) => NUMBER.test(unquote(l.replace(/\r$/, '').split(delimiter)[c] ?? ''))) ? 'number' : 'text';
  const sampleBytes = data.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
  const expectedRows = data.length === 0 ? 1024 : Math.ceil((1.02 * size * data.length) / sampleBytes) + 16;
  const names = header ? fields : [];
  const timeAt = header ? fields.findIndex((f) => TIME_COLUMNS.includes(f.trim().toLowerCase())) : fields.length >= 4 ? 3 : -1;
  // Missing timestamps are allowed (NaN); any other non-number means the column is not a timestamp.
  const times = timeAt < 0 ? [] : data.map((l) => unquote(l.replace(/\r$/, '').split(delimiter)[timeAt] ?? '')).filter((v) => v !== '');
  const timestampColumn = times.length > 0 && times.every((v) => NUMBER.test(v)) ? timeAt : null;
  return {
    timestampColumn,
    delimiter,
    headerLine: header ? first + 1 : first,
    fieldCount: fields.length,
    columns,
    idKinds: { user: numeric(columns.user), item: numeric(columns.item) },
    expectedRows,
    fieldName: (c) => names[c] ?? ['user', 'item', 'rating'].find((k) => columns[k as keyof typeof columns] === c) ?? `field ${c + 1}`,
  };
}

async function readSample(path: string): Promise<{ sample: Buffer; size: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`ratings file not found: ${path}`, { path });
    throw invalid(`cannot read ratings file ${path}: ${(e as Error).message}`, { path });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw invalid(`${path} is not a regular file, expected a ratings file`, { path });
    const sample = Buffer.alloc(Math.min(SAMPLE_BYTES, st.size));
    const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
    return { sample: sample.subarray(0, bytesRead), size: st.size };
  } finally {
    await handle.close();
  }
}

const unquote = (s: string): string => {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
};

function resolveColumns(header: string[], path: string, line: number) {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (candidates: string[], what: string, fallback: number) => {
    const at = names.findIndex((n) => candidates.includes(n));
    if (at >= 0) return at;
    if (fallback < names.length) return fallback;
    throw invalid(`${path}: line ${line}: no ${what} column in header ${JSON.stringify(header.join(','))}`, { path });
  };
  return { user: find(USER_COLUMNS, 'user', 0), item: find(ITEM_COLUMNS, 'item', 1), rating: find(RATING_COLUMNS, 'rating', 2) };
}

export interface RowLine {
  readonly line: number;
  /** The line's text (its first 200 characters). */
  readonly text: string;
}

/**
 * 1-based line numbers (and text) of the given data rows, counted as the CSV reader counts them:
 * after the header, blank lines and the reader's rejected lines skipped. A slow scan, run only to
 * name the rows of an error or a warning.
 */
export async function lineOfRows(
  path: string,
  layout: RatingsFileLayout,
  rows: readonly number[],
  rejectedLines: ReadonlySet<number> = new Set(),
): Promise<Map<number, RowLine>> {
  const wanted = new Set(rows);
  const found = new Map<number, RowLine>();
  if (wanted.size === 0) return found;
  let line = 0;
  let row = -1;
  let partial: Buffer[] = [];
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); ; nl = chunk.indexOf(10, start)) {
      const end = nl < 0 ? chunk.length : nl;
      if (nl < 0) {
        partial.push(chunk.subarray(start, Math.min(end, start + 400)));
        break;
      }
      const bytes =
        partial.length > 0
          ? Buffer.concat([...partial, chunk.subarray(start, Math.min(end, start + 400))])
          : chunk.subarray(start, Math.min(end, start + 400));
      partial = [];
      line++;
      start = nl + 1;
      if (line <= layout.headerLine) continue;
      const text = bytes.toString('utf8').replace(/\r$/, '');
      if (text.trim() === '' || rejectedLines.has(line)) continue;
      row++;
      if (wanted.has(row)) {
        found.set(row, { line, text: text.slice(0, 200) });
        if (found.size === wanted.size) return found;
      }
    }
  }
  if (partial.length > 0 && wanted.has(row + 1))
    found.set(row + 1, { line: line + 1, text: Buffer.concat(partial).toString('utf8').slice(0, 200) });
  return found;
}
