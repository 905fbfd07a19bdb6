import { quoteIdent } from '../warehouse/index.js';
import { compilation } from './errors.js';
import { parseObjectName } from './identifiers.js';
import type { SessionVariable } from './session.js';
import { tokenize, type Statement, type Token } from './tokens.js';

/** `$name` (a session variable), not `$1` (a positional column). */
const VARIABLE = /^\$[A-Z_][A-Z0-9_$]*$/;

/**
 * Puts the object names `IDENTIFIER($x)` / `IDENTIFIER('name')` stand for into a statement before
 * anything reads it, so every statement form (recpipe's own as well as translated ones) takes
 * them: the name is parsed by the one identifier helper and re-quoted, so a value never reaches
 * SQL as raw text. (`$x` in expressions is the dialect's session-variables transform.)
 */
export function substituteIdentifiers(st: Statement, session: SessionContextVariables): Statement {
  const { tokens, text } = st;
  if (!tokens.some((t) => t.kind === 'word' && t.value === 'IDENTIFIER')) return st;
  let out = '';
  let copied = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'word' || t.value !== 'IDENTIFIER' || tokens[i + 1]?.value !== '(' || tokens[i + 3]?.value !== ')') continue;
    const arg = tokens[i + 2];
    const name = arg.kind === 'string' ? arg.value : arg.kind === 'word' && VARIABLE.test(arg.value) ? nameValue(session, arg) : null;
    if (name === null) continue;
    out += text.slice(copied, t.start) + parseObjectName(name).map(quoteIdent).join('.');
    copied = tokens[i + 3].end;
    i += 3;
  }
  if (copied === 0) return st;
  const rewritten = out + text.slice(copied);
  return { ...st, text: rewritten, tokens: tokenize(rewritten) };
}

export interface SessionContextVariables {
  readonly variables?: ReadonlyMap<string, SessionVariable>;
}

/** The variable `$NAME` (or `NAME`) names; a missing one fails as in Snowflake. */
export function sessionVariable(session: SessionContextVariables, name: string): SessionVariable {
  const key = name.startsWith('$') ? name.slice(1) : name;
  const found = session.variables?.get(key);
  if (!found) throw compilation('INVALID_ARGUMENT', `Session variable '$${key}' does not exist`);
  return found;
}

function nameValue(session: SessionContextVariables, t: Token): string {
  const v = sessionVariable(session, t.value);
  if (typeof v.value !== 'string')
    throw compilation('INVALID_ARGUMENT', `IDENTIFIER(${t.value}) needs a string naming an object, got ${v.type}`);
  return v.value;
}
