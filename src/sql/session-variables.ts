import { quoteIdent } from '../warehouse/index.js';
import { compilation } from './errors.js';
import { parseObjectName } from './identifiers.js';
import type { Session, SessionVariable } from './session.js';
import { tokenize, type Statement, type Token } from './tokens.js';

/** `$name` (a session variable), not `$1` (a positional column). */
const VARIABLE = /^\$[A-Z_][A-Z0-9_$]*$/;

/**
 * Puts session variables into a statement before anything reads it, so every statement form
 * (recpipe's own as well as translated ones) sees them: `$x` becomes the variable's value as a
 * literal, and `IDENTIFIER($x)` / `IDENTIFIER('name')` the object name it holds, parsed by the one
 * identifier helper and re-quoted (a value never reaches SQL as raw text).
 */
export function substituteVariables(st: Statement, session: Session): Statement {
  const { tokens, text } = st;
  if (!tokens.some((t) => t.kind === 'word' && (VARIABLE.test(t.value) || t.value === 'IDENTIFIER'))) return st;
  let out = '';
  let copied = 0;
  const replace = (from: number, to: number, sql: string): void => {
    out += text.slice(copied, tokens[from].start) + sql;
    copied = tokens[to].end;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'word') continue;
    if (t.value === 'IDENTIFIER' && tokens[i + 1]?.value === '(' && tokens[i + 3]?.value === ')') {
      const arg = tokens[i + 2];
      const name = arg.kind === 'string' ? arg.value : arg.kind === 'word' && VARIABLE.test(arg.value) ? nameValue(session, arg) : null;
      if (name === null) continue;
      replace(i, i + 3, parseObjectName(name).map(quoteIdent).join('.'));
      i += 3;
    } else if (VARIABLE.test(t.value)) {
      replace(i, i, sqlLiteral(variable(session, t)));
    }
  }
  if (copied === 0) return st;
  const rewritten = out + text.slice(copied);
  return { ...st, text: rewritten, tokens: tokenize(rewritten) };
}

function variable(session: Session, t: Token): SessionVariable {
  const found = session.variables?.get(t.value.slice(1));
  if (!found) throw compilation('INVALID_ARGUMENT', `Session variable '${t.value}' does not exist`);
  return found;
}

function nameValue(session: Session, t: Token): string {
  const v = variable(session, t);
  if (typeof v.value !== 'string') throw compilation('INVALID_ARGUMENT', `IDENTIFIER(${t.value}) needs a string naming an object, got ${v.type}`);
  return v.value;
}

/** A variable's value as a Snowflake literal of its type. */
export function sqlLiteral(v: SessionVariable): string {
  const { value, type } = v;
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return value < 0 ? `(${value})` : String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const quoted = `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  if (type === 'VARCHAR' || type === 'TEXT') return quoted;
  if (type === 'OBJECT' || type === 'ARRAY' || type === 'VARIANT') return `PARSE_JSON(${quoted})`;
  return `CAST(${quoted} AS ${type})`;
}
