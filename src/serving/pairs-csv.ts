import { invalid } from '../core/index.js';

/** (user, item) pairs in request order; ids are raw (normalised at lookup). */
export interface Pairs {
  readonly users: (string | number)[];
  readonly items: (string | number)[];
}

const USER_HEADERS = new Set(['user', 'userid', 'user_id', 'uid']);
const ITEM_HEADERS = new Set(['item', 'itemid', 'item_id', 'iid', 'movie', 'movieid', 'movie_id']);
const CR = 13;

/**
 * Parses `user,item` lines (the guide's payload.csv). Tolerates LF or CRLF, blank lines, a missing
 * final newline, an optional header whose two names are known column names (`user,item`,
 * `userId,movieId`, …) and double-quoted fields (which may hold commas and `""`, not line breaks).
 * A line without exactly two non-empty fields is an error naming its line number and text.
 *
 * One pass with indexOf and slice: no per-line regex or split arrays.
 */
export function parsePairsCsv(text: string): Pairs {
  const users: string[] = [];
  const items: string[] = [];
  const quoted = text.includes('"');
  const n = text.length;
  let start = 0;
  let line = 0;
  let first = true;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    line++;
    const stop = end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    if (stop > start) {
      const fields = quoted ? splitQuoted(text, start, stop, line) : splitPlain(text, start, stop, line);
      if (!(first && isHeader(fields[0], fields[1]))) {
        if (fields[0].trim() === '') throw malformed(line, text.slice(start, stop), 'empty user id');
        if (fields[1].trim() === '') throw malformed(line, text.slice(start, stop), 'empty item id');
        users.push(fields[0]);
        items.push(fields[1]);
      }
      first = false;
    }
    start = end + 1;
  }
  return { users, items };
}

function splitPlain(text: string, start: number, stop: number, line: number): [string, string] {
  const comma = text.indexOf(',', start);
  if (comma < 0 || comma >= stop) throw malformed(line, text.slice(start, stop), 'expected 2 fields (user,item), got 1');
  const extra = text.indexOf(',', comma + 1);
  if (extra >= 0 && extra < stop)
    throw malformed(line, text.slice(start, stop), `expected 2 fields (user,item), got ${text.slice(start, stop).split(',').length}`);
  return [text.slice(start, comma), text.slice(comma + 1, stop)];
}

/** RFC 4180 fields within one line: `"a,b"` and `"say ""hi"""` are single fields. */
function splitQuoted(text: string, start: number, stop: number, line: number): [string, string] {
  const fields: string[] = [];
  let at = start;
  for (;;) {
    let value: string;
    if (text.charCodeAt(at) === 34 /* " */) {
      value = '';
      let from = at + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0 || q >= stop) throw malformed(line, text.slice(start, stop), 'unterminated quoted field');
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === 34 && q + 1 < stop) {
          value += '"';
          from = q + 2;
        } else {
          at = q + 1;
          break;
        }
      }
      if (at < stop && text.charCodeAt(at) !== 44 /* , */) throw malformed(line, text.slice(start, stop), 'text after a closing quote');
    } else {
      const comma = text.indexOf(',', at);
      const to = comma < 0 || comma >= stop ? stop : comma;
      value = text.slice(at, to);
      at = to;
    }
    fields.push(value);
    if (at >= stop) break;
    at++; // past the comma
    if (at === stop) {
      fields.push('');
      break;
    }
  }
  if (fields.length !== 2) throw malformed(line, text.slice(start, stop), `expected 2 fields (user,item), got ${fields.length}`);
  return fields as [string, string];
}

const isHeader = (user: string, item: string): boolean =>
  USER_HEADERS.has(user.trim().toLowerCase()) && ITEM_HEADERS.has(item.trim().toLowerCase());

const malformed = (line: number, text: string, what: string) =>
  invalid(`line ${line}: ${what}: ${JSON.stringify(text.length > 120 ? text.slice(0, 120) + '…' : text)}`, { line });

/** One field of CSV output, quoted only when it must be. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
