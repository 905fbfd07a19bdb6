import { invalid } from '../core/errors.js';

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_PART = 255;

/**
 * Validates a user-typed object name of 1–3 parts (`table`, `schema.table`, `db.schema.table`) and
 * returns it as SQL text. Unquoted parts must be plain Snowflake identifiers and stay unquoted (so
 * they keep Snowflake's case-insensitive meaning); "quoted" parts are re-quoted with `"` doubled.
 * Anything else (spaces, `;`, comments, stray quotes) is refused, never escaped into a statement.
 */
export function objectNameSql(name: string, what: string): string {
  const parts = splitParts(name, what);
  if (parts.length < 1 || parts.length > 3) {
    throw invalid(`${what} ${JSON.stringify(name)} must have 1 to 3 dot-separated parts (name, schema.name or database.schema.name)`);
  }
  return parts.join('.');
}

/** Each part as SQL: checked unquoted text, or a quoted identifier re-quoted. */
function splitParts(name: string, what: string): string[] {
  const bad = (why: string) => invalid(`${what} ${JSON.stringify(name)} is not a valid identifier: ${why}`);
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part: string;
    if (name[i] === '"') {
      let inner = '';
      let j = i + 1;
      for (; j < name.length; j++) {
        if (name[j] !== '"') inner += name[j];
        else if (name[j + 1] === '"') (inner += '"'), j++;
        else break;
      }
      if (j >= name.length) throw bad('unterminated quoted part');
      if (inner === '' || inner.length > MAX_PART) throw bad(`a quoted part must hold 1 to ${MAX_PART} characters`);
      part = `"${inner.replace(/"/g, '""')}"`;
      i = j + 1;
    } else {
      const end = name.indexOf('.', i);
      const raw = name.slice(i, end < 0 ? name.length : end);
      if (!UNQUOTED.test(raw) || raw.length > MAX_PART) {
        throw bad(`${JSON.stringify(raw)} must start with a letter or _ and hold only letters, digits, _ and $ (or be "double-quoted")`);
      }
      part = raw;
      i += raw.length;
    }
    parts.push(part);
    if (i === name.length) return parts;
    if (name[i] !== '.') throw bad(`unexpected ${JSON.stringify(name[i])} after part ${parts.length}`);
    i++;
  }
}
