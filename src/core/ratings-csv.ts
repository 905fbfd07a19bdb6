import { inferScale, type Dataset, type RatingScale } from './dataset.js';
import { dedupe, type DuplicatePolicy, type DuplicateReport } from './dedupe.js';
import { invalid } from './errors.js';
import { IdMap, normalizeId } from './ids.js';

export interface RatingsCsvOptions {
  /** Name used in error messages (usually the file path). */
  readonly source: string;
  /** `auto` treats a first line whose rating field is not a number as a header. */
  readonly header?: boolean | 'auto';
  /** `auto` picks tab when the first line has tabs and no commas. */
  readonly delimiter?: ',' | '\t' | ';' | 'auto';
  /** Given scale: ratings outside it are errors. Otherwise inferred as [min, max]. */
  readonly scale?: RatingScale;
  readonly duplicates?: DuplicatePolicy;
  /** Share vocabularies across files (a fold's train and test). */
  readonly userIds?: IdMap;
  readonly itemIds?: IdMap;
}

export interface ParsedRatings {
  readonly dataset: Dataset;
  readonly duplicates: DuplicateReport;
  readonly hadHeader: boolean;
  /** 1-based line numbers of the kept rows are not stored; rows map to lines via `firstDataLine`. */
  readonly firstDataLine: number;
}

const USER_COLUMNS = ['user', 'userid', 'user_id', 'uid', 'u'];
const ITEM_COLUMNS = ['item', 'itemid', 'item_id', 'movie', 'movieid', 'movie_id', 'iid', 'i'];
const RATING_COLUMNS = ['rating', 'score', 'r', 'value'];
const MAX_REPORTED = 5;

/**
 * Parses `user,item,rating[,timestamp]` text into a Dataset (header or not, CRLF or LF, comma, tab
 * or semicolon, double-quoted fields). Every bad row is an error naming source, line, column and
 * value; nothing is loaded when any row is bad.
 */
export function parseRatingsCsv(text: string, opts: RatingsCsvOptions): ParsedRatings {
  const lines = text.split('\n');
  let lineNo = 0;
  while (lineNo < lines.length && lines[lineNo].replace(/\r$/, '').trim() === '') lineNo++;
  if (lineNo === lines.length) throw invalid(`${opts.source}: the file is empty (expected lines of user,item,rating)`, { source: opts.source });

  const first = lines[lineNo].replace(/\r$/, '');
  const delim = opts.delimiter === undefined || opts.delimiter === 'auto' ? detectDelimiter(first) : opts.delimiter;
  const firstFields = splitFields(first, delim) ?? [first];
  const looksLikeHeader = firstFields.length >= 3 && !isNumber(firstFields[2]);
  const hadHeader = opts.header === undefined || opts.header === 'auto' ? looksLikeHeader : opts.header;
  let cols = [0, 1, 2];
  if (hadHeader) {
    cols = resolveColumns(firstFields, opts.source);
    lineNo++;
  }
  const firstDataLine = lineNo + 1;

  const userIds = opts.userIds ?? new IdMap();
  const itemIds = opts.itemIds ?? new IdMap();
  const n = lines.length - lineNo;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const errors: string[] = [];
  let bad = 0;
  let size = 0;
  const need = Math.max(...cols) + 1;
  const report = (msg: string) => {
    bad++;
    if (errors.length < MAX_REPORTED) errors.push(msg);
  };
  for (; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo].endsWith('\r') ? lines[lineNo].slice(0, -1) : lines[lineNo];
    if (line === '') continue;
    const where = `line ${lineNo + 1}`;
    const f = splitFields(line, delim);
    if (f === null) {
      report(`${where}: unterminated quoted field in ${JSON.stringify(line)}`);
      continue;
    }
    if (f.length < need) {
      report(`${where}: expected at least ${need} fields (user, item, rating), got ${f.length}: ${JSON.stringify(line)}`);
      continue;
    }
    const [u, i, r] = cols.map((c) => f[c]);
    if (u.trim() === '') report(`${where}, column ${cols[0] + 1} (user): empty user id`);
    else if (i.trim() === '') report(`${where}, column ${cols[1] + 1} (item): empty item id`);
    else if (!isNumber(r)) report(`${where}, column ${cols[2] + 1} (rating): ${JSON.stringify(r)} is not a number`);
    else if (opts.scale && (Number(r) < opts.scale.min || Number(r) > opts.scale.max))
      report(`${where}, column ${cols[2] + 1} (rating): ${r} is outside the rating scale ${opts.scale.min}–${opts.scale.max}`);
    else {
      users[size] = userIds.intern(normalizeId(u));
      items[size] = itemIds.intern(normalizeId(i));
      ratings[size] = Number(r);
      size++;
    }
  }
  if (bad > 0) {
    const more = bad > errors.length ? ` (and ${bad - errors.length} more)` : '';
    throw invalid(`${opts.source}: ${bad} bad row${bad === 1 ? '' : 's'}${more}: ${errors.join('; ')}`, { source: opts.source, badRows: bad });
  }
  if (size === 0) throw invalid(`${opts.source}: no ratings after the header`, { source: opts.source });
  const r = ratings.subarray(0, size);
  const raw: Dataset = {
    size,
    users: users.subarray(0, size),
    items: items.subarray(0, size),
    ratings: r,
    userIds,
    itemIds,
    scale: opts.scale ?? inferScale(r),
  };
  const { dataset, duplicates } = dedupe(raw, opts.duplicates ?? 'last');
  return { dataset, duplicates, hadHeader, firstDataLine };
}

function detectDelimiter(line: string): ',' | '\t' | ';' {
  if (line.includes('\t') && !line.includes(',')) return '\t';
  if (line.includes(';') && !line.includes(',')) return ';';
  return ',';
}

const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const isNumber = (s: string): boolean => NUMBER.test(s);

/** Splits one line; double-quoted fields may hold the delimiter and "" escapes. Null when a quote is left open. */
function splitFields(line: string, delim: string): string[] | null {
  if (!line.includes('"')) return line.split(delim);
  const out: string[] = [];
  let at = 0;
  while (at <= line.length) {
    if (line[at] === '"') {
      let value = '';
      let j = at + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return null;
        value += line.slice(j, q);
        if (line[q + 1] === '"') {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      out.push(value);
      at = line.indexOf(delim, j);
      if (at < 0) break;
      at++;
    } else {
      const next = line.indexOf(delim, at);
      out.push(next < 0 ? line.slice(at) : line.slice(at, next));
      if (next < 0) break;
      at = next + 1;
    }
  }
  return out;
}

function resolveColumns(header: string[], source: string): number[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (candidates: string[], what: string, fallback: number) => {
    const at = names.findIndex((n) => candidates.includes(n));
    if (at >= 0) return at;
    if (fallback < names.length) return fallback;
    throw invalid(`${source}: line 1: no ${what} column in header ${JSON.stringify(header.join(','))}`);
  };
  return [find(USER_COLUMNS, 'user', 0), find(ITEM_COLUMNS, 'item', 1), find(RATING_COLUMNS, 'rating', 2)];
}
