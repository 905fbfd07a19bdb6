import { STREAM_OFFSETS_SCHEMA, quoteTableName } from '../warehouse/index.js';
import type { ExecContext } from './context.js';
import { compilation } from './errors.js';
import { identifierOf, parseObjectName, resolveTableName } from './identifiers.js';
import { verbIndex } from './select-names.js';
import { readableStream } from './statements/stream.js';
import { changesView, type StreamDefinition, type StreamStore } from './streams.js';
import { splitStatements, type Statement, type Token } from './tokens.js';

/** A statement that names streams, as it runs and as its privileges are checked. */
export interface StreamUse {
  /** Stream references read the stream's change view. */
  readonly run: Statement;
  /** Stream references read the base table: reading a stream needs SELECT on its table. */
  readonly checked: Statement;
  /** The streams a DML statement reads: their offsets move when it commits. */
  readonly consumed: readonly StreamDefinition[];
}

/** Words after which an identifier names a table (MERGE … USING s). */
const TABLE_POSITION = new Set(['FROM', 'JOIN', 'USING']);
/** Words that may follow a table reference without being its alias. */
const NOT_ALIAS = new Set([
  'WHERE',
  'JOIN',
  'INNER',
  'LEFT',
  'RIGHT',
  'FULL',
  'CROSS',
  'NATURAL',
  'ON',
  'USING',
  'GROUP',
  'ORDER',
  'LIMIT',
  'UNION',
  'EXCEPT',
  'MINUS',
  'INTERSECT',
  'HAVING',
  'QUALIFY',
  'WINDOW',
  'WHEN',
  'SET',
  'LATERAL',
  'SAMPLE',
  'TABLESAMPLE',
  'OFFSET',
  'FETCH',
  'PIVOT',
  'UNPIVOT',
  'ASOF',
  'POSITIONAL',
  'ANTI',
  'SEMI',
]);
const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
const HAS_DATA = 'SYSTEM$STREAM_HAS_DATA';

const isPunct = (t: Token | undefined, v: string): boolean => t?.kind === 'punct' && t.value === v;

/**
 * Finds the streams a statement names — in FROM/JOIN/USING position, and in
 * `SYSTEM$STREAM_HAS_DATA('<stream>')` — and rewrites them. Null when it names none. A role reads a
 * stream it owns or holds SELECT on, and needs SELECT on its base table too (as in Snowflake). The
 * hidden offsets schema can never be named.
 */
export async function streamReferences(ctx: ExecContext, store: StreamStore): Promise<StreamUse | null> {
  const { tokens, text } = ctx.statement;
  if (definesTask(tokens)) return null; // its body and WHEN name streams each time they run
  let run = '';
  let checked = '';
  let copied = 0;
  const consumed = new Map<string, StreamDefinition>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if ((t.kind === 'word' || t.kind === 'quoted') && t.value.toUpperCase() === STREAM_OFFSETS_SCHEMA)
      throw compilation('PERMISSION_DENIED', `schema ${STREAM_OFFSETS_SCHEMA} holds recpipe's stream offsets and cannot be named.`);
    if (t.kind === 'word' && t.value === HAS_DATA && isPunct(tokens[i + 1], '(')) {
      const arg = tokens[i + 2];
      if (arg?.kind !== 'string' || !isPunct(tokens[i + 3], ')'))
        throw compilation(
          'INVALID_ARGUMENT',
          `${HAS_DATA} takes one string literal, the stream's name, e.g. ${HAS_DATA}('ratings_stream')`,
        );
      const def = await usable(ctx, store, parseObjectName(arg.value));
      run += `${text.slice(copied, t.start)}(EXISTS (SELECT 1 FROM ${changesView(def)}))`;
      checked += `${text.slice(copied, t.start)}(EXISTS (SELECT 1 FROM ${quoteTableName(def.table)}))`;
      copied = tokens[i + 3].end;
      i += 3;
      continue;
    }
    const prev = tokens[i - 1];
    if (!(prev?.kind === 'word' && TABLE_POSITION.has(prev.value)) || identifierOf(t) === null) continue;
    const parts: string[] = [];
    let k = i;
    for (;;) {
      const id = identifierOf(tokens[k]);
      if (id === null) break;
      parts.push(id);
      if (!isPunct(tokens[k + 1], '.') || parts.length === 3) break;
      k += 2;
    }
    if (isPunct(tokens[k + 1], '(') || parts.length === 0) continue;
    const def = lookup(ctx, store, parts);
    if (!def) continue;
    await usable(ctx, store, parts);
    consumed.set(def.id, def);
    const next = tokens[k + 1];
    const aliased = next?.kind === 'quoted' || (next?.kind === 'word' && (next.value === 'AS' || !NOT_ALIAS.has(next.value)));
    const alias = aliased ? '' : ` AS ${text.slice(tokens[k].start, tokens[k].end)}`;
    run += `${text.slice(copied, t.start)}${changesView(def)}${alias}`;
    checked += `${text.slice(copied, t.start)}${quoteTableName(def.table)}${alias}`;
    copied = tokens[k].end;
    i = k;
  }
  if (copied === 0) return null;
  const verb = tokens[verbIndex(tokens)]?.value ?? '';
  return {
    run: restated(ctx.statement, run + text.slice(copied)),
    checked: restated(ctx.statement, checked + text.slice(copied)),
    consumed: DML.has(verb) ? [...consumed.values()] : [],
  };
}

function definesTask(tokens: readonly Token[]): boolean {
  const words = tokens.slice(0, 4).map((t) => (t.kind === 'word' ? t.value : ''));
  return (words[0] === 'CREATE' && (words[1] === 'TASK' || words[3] === 'TASK')) || (words[0] === 'ALTER' && words[1] === 'TASK');
}

function lookup(ctx: ExecContext, store: StreamStore, parts: readonly string[]): StreamDefinition | undefined {
  try {
    return store.get(resolveTableName(parts, ctx.session));
  } catch {
    return undefined; // no current database or schema: the statement reports that itself
  }
}

async function usable(ctx: ExecContext, store: StreamStore, parts: readonly string[]): Promise<StreamDefinition> {
  const def = readableStream(ctx, resolveTableName(parts, ctx.session));
  await store.checkReadable(def);
  return def;
}

function restated(original: Statement, text: string): Statement {
  const [st] = splitStatements(text);
  return { ...st, index: original.index, line: original.line, offset: original.offset };
}
