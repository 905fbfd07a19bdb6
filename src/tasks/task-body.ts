import { tokenize } from '../sql/index.js';

/**
 * The SQL a task body runs as one request: a single statement as written, the statements inside a
 * `BEGIN … END` block, or the text of `EXECUTE IMMEDIATE $$ … $$`. Snowflake Scripting (DECLARE,
 * LET, IF, loops) is not supported: a block is a list of statements run in order.
 */
export function bodySql(definition: string): string {
  const tokens = tokenize(definition);
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (
    first?.kind === 'word' &&
    first.value === 'EXECUTE' &&
    tokens[1]?.value === 'IMMEDIATE' &&
    tokens[2]?.kind === 'string' &&
    tokens.length === 3
  ) {
    return bodySql(tokens[2].value);
  }
  if (first?.kind === 'word' && first.value === 'BEGIN' && tokens.length > 1) {
    const trailing = last.kind === 'punct' && last.value === ';' ? tokens.length - 2 : tokens.length - 1;
    const end = tokens[trailing];
    if (end?.kind === 'word' && end.value === 'END') return definition.slice(first.end, end.start).trim();
  }
  return definition;
}
