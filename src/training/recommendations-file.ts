import type { UserRecommendations } from '../core/index.js';
import { writeFileAtomic } from '../util/atomic-file.js';

/** Numeric ids become JSON numbers (MovieLens ids are ints), anything else stays a string. */
export const idToJson = (id: string): string | number => (/^-?\d{1,15}$/.test(id) ? Number(id) : id);

const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The guide's output table as a JSON or JSON Lines file: one row per user, recommendations as a JSON array, best first. */
export function formatRecommendations(recs: readonly UserRecommendations[], format: 'json' | 'jsonl'): string {
  const rows = recs.map((r) => ({ user: idToJson(r.user), recommendations: r.items.map(idToJson) }));
  return format === 'json' ? JSON.stringify(rows, null, 1) + '\n' : rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

const [QUOTE, COMMA, NEWLINE, OPEN, CLOSE] = [0x22, 0x2c, 0x0a, 0x5b, 0x5d];

/**
 * The guide's output table as CSV bytes (USERID,RECOMMENDATIONS; the JSON array quoted as CSV
 * quotes it: when it holds a comma or a quote). Each distinct item's JSON token is made and encoded
 * once; rows are copied token by token into one buffer sized beforehand: no JSON text per row.
 */
export function recommendationsCsv(recs: readonly UserRecommendations[]): Buffer {
  const tokens = new Tokens();
  const header = 'USERID,RECOMMENDATIONS\n';
  // null: the id's own characters are its field (plainDecimal), copied byte by byte below.
  const users = recs.map((r) => (plainDecimal(r.user) ? null : csvField(String(idToJson(r.user)))));
  // Each row's items as token numbers, looked up once; a row's first slot is its item count.
  const rows = new Int32Array(recs.reduce((n, r) => n + 1 + r.items.length, 0));
  let size = Buffer.byteLength(header);
  for (let u = 0, at = 0; u < recs.length; u++) {
    const items = recs[u].items;
    rows[at++] = items.length;
    let quote = items.length > 1;
    for (const id of items) {
      const t = (rows[at++] = tokens.of(id));
      size += tokens.start[t + 1] - tokens.start[t];
      quote ||= tokens.isString(t);
    }
    const user = users[u];
    size += (user === null ? recs[u].user.length : Buffer.byteLength(user)) + 4 + Math.max(0, items.length - 1) + (quote ? 2 : 0);
  }
  const { bytes, start } = tokens.seal();
  const out = Buffer.allocUnsafe(size);
  let at = out.write(header, 0);
  for (let u = 0, r = 0; u < recs.length; u++) {
    const n = rows[r++];
    const quote = n > 1 || (n === 1 && bytes[start[rows[r]]] === QUOTE);
    const user = users[u];
    if (user !== null) at += out.write(user, at);
    else for (let k = 0, id = recs[u].user; k < id.length; k++) out[at++] = id.charCodeAt(k);
    out[at++] = COMMA;
    if (quote) out[at++] = QUOTE;
    out[at++] = OPEN;
    for (let k = 0; k < n; k++) {
      if (k > 0) out[at++] = COMMA;
      const t = rows[r++];
      // A byte loop: tokens are a few bytes, where Buffer#copy's call costs more than the copy.
      for (let b = start[t], stop = start[t + 1]; b < stop; b++) out[at++] = bytes[b];
    }
    out[at++] = CLOSE;
    if (quote) out[at++] = QUOTE;
    out[at++] = NEWLINE;
  }
  return out;
}

/** Distinct ids' CSV-escaped JSON tokens, numbered in order of first use, end to end in one buffer once sealed. */
class Tokens {
  private readonly byId = new Map<string, number>();
  private readonly parts: Buffer[] = [];
  start = new Int32Array(1024);

  of(id: string): number {
    let t = this.byId.get(id);
    if (t === undefined) {
      t = this.parts.length;
      // A JSON string token starts with a quote, doubled inside a quoted CSV field; numbers carry none.
      const part = Buffer.from(JSON.stringify(idToJson(id)).replace(/"/g, '""'));
      this.parts.push(part);
      this.byId.set(id, t);
      if (t + 2 > this.start.length) {
        const wider = new Int32Array(2 * this.start.length);
        wider.set(this.start);
        this.start = wider;
      }
      this.start[t + 1] = this.start[t] + part.length;
    }
    return t;
  }

  isString(t: number): boolean {
    return this.parts[t][0] === QUOTE;
  }

  seal(): { bytes: Buffer; start: Int32Array } {
    return { bytes: Buffer.concat(this.parts), start: this.start };
  }
}

/**
 * Digits without a leading zero, at most 15 (as idToJson's pattern): the JSON number of such an id
 * prints as the id itself, ASCII that CSV leaves unquoted, so no string is made for its field.
 */
function plainDecimal(id: string): boolean {
  const n = id.length;
  if (n === 0 || n > 15 || (n > 1 && id.charCodeAt(0) === 0x30)) return false;
  for (let k = 0; k < n; k++) {
    const c = id.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export function formatOf(path: string): 'csv' | 'json' | 'jsonl' {
  return path.endsWith('.jsonl') ? 'jsonl' : path.endsWith('.json') ? 'json' : 'csv';
}

export async function writeRecommendations(path: string, recs: readonly UserRecommendations[]): Promise<void> {
  const format = formatOf(path);
  await writeFileAtomic(path, format === 'csv' ? recommendationsCsv(recs) : formatRecommendations(recs, format));
}
