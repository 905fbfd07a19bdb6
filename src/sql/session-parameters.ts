import { compilation } from './errors.js';
import type { Session } from './session.js';

type Kind = 'BOOLEAN' | 'NUMBER' | 'STRING';
export type ParameterValue = string | number | boolean;

interface Definition {
  readonly kind: Kind;
  readonly default: ParameterValue;
  readonly description: string;
  /** Extra check of a value (the time zone must be one the runtime knows). */
  readonly check?: (v: ParameterValue) => string | null;
}

const RECORDED = ' (recorded; recpipe does not apply it)';
const recorded = (kind: Kind, dflt: ParameterValue, what: string): Definition => ({ kind, default: dflt, description: what + RECORDED });

/**
 * Session parameters ALTER SESSION accepts. AUTOCOMMIT changes how statements run; the others are
 * checked, kept and shown (SHOW PARAMETERS) so scripts written for Snowflake run, and their
 * descriptions say when recpipe does not apply them (TIMEZONE: DuckDB's settings are locked for
 * safety, so the server's zone stays in force). Any other name is refused, naming it.
 */
export const PARAMETERS: ReadonlyMap<string, Definition> = new Map<string, Definition>([
  [
    'AUTOCOMMIT',
    {
      kind: 'BOOLEAN',
      default: true,
      description: 'Whether each statement commits on its own; FALSE opens a transaction at the first DML or query.',
    },
  ],
  [
    'TIMEZONE',
    {
      kind: 'STRING',
      default: Intl.DateTimeFormat().resolvedOptions().timeZone,
      description: `Time zone of the session${RECORDED}`,
      check: checkTimeZone,
    },
  ],
  ['QUERY_TAG', { kind: 'STRING', default: '', description: 'A tag for the session\u2019s statements.' }],
  ['TIMESTAMP_OUTPUT_FORMAT', recorded('STRING', 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM', 'Display format of timestamps')],
  ['TIMESTAMP_NTZ_OUTPUT_FORMAT', recorded('STRING', 'YYYY-MM-DD HH24:MI:SS.FF3', 'Display format of TIMESTAMP_NTZ values')],
  ['TIMESTAMP_LTZ_OUTPUT_FORMAT', recorded('STRING', '', 'Display format of TIMESTAMP_LTZ values')],
  ['TIMESTAMP_TZ_OUTPUT_FORMAT', recorded('STRING', '', 'Display format of TIMESTAMP_TZ values')],
  ['TIMESTAMP_INPUT_FORMAT', recorded('STRING', 'AUTO', 'Input format of timestamps')],
  ['TIMESTAMP_TYPE_MAPPING', recorded('STRING', 'TIMESTAMP_NTZ', 'The type TIMESTAMP stands for')],
  ['DATE_OUTPUT_FORMAT', recorded('STRING', 'YYYY-MM-DD', 'Display format of dates')],
  ['DATE_INPUT_FORMAT', recorded('STRING', 'AUTO', 'Input format of dates')],
  ['TIME_OUTPUT_FORMAT', recorded('STRING', 'HH24:MI:SS', 'Display format of times')],
  ['TIME_INPUT_FORMAT', recorded('STRING', 'AUTO', 'Input format of times')],
  ['BINARY_OUTPUT_FORMAT', recorded('STRING', 'HEX', 'Display format of binary values')],
  ['BINARY_INPUT_FORMAT', recorded('STRING', 'HEX', 'Input format of binary values')],
  ['WEEK_START', recorded('NUMBER', 0, 'First day of the week')],
  ['WEEK_OF_YEAR_POLICY', recorded('NUMBER', 0, 'How the first week of a year is counted')],
  ['TWO_DIGIT_CENTURY_START', recorded('NUMBER', 1970, 'Century of two-digit years')],
  ['STATEMENT_TIMEOUT_IN_SECONDS', recorded('NUMBER', 172800, 'Statement time limit')],
  ['LOCK_TIMEOUT', recorded('NUMBER', 43200, 'Seconds to wait for a lock')],
  ['ROWS_PER_RESULTSET', recorded('NUMBER', 0, 'Largest result set returned')],
  ['JSON_INDENT', recorded('NUMBER', 2, 'Indentation of JSON output')],
  ['USE_CACHED_RESULT', recorded('BOOLEAN', true, 'Whether to reuse cached results')],
  ['ABORT_DETACHED_QUERY', recorded('BOOLEAN', false, 'Whether to abort queries of lost connections')],
  ['STRICT_JSON_OUTPUT', recorded('BOOLEAN', false, 'Whether JSON output is strict')],
  ['ERROR_ON_NONDETERMINISTIC_MERGE', recorded('BOOLEAN', true, 'Whether a MERGE matching several rows fails')],
  ['ERROR_ON_NONDETERMINISTIC_UPDATE', recorded('BOOLEAN', false, 'Whether an UPDATE matching several rows fails')],
  ['TRANSACTION_DEFAULT_ISOLATION_LEVEL', recorded('STRING', 'READ COMMITTED', 'Isolation level of transactions')],
  ['CLIENT_TIMESTAMP_TYPE_MAPPING', recorded('STRING', 'TIMESTAMP_LTZ', 'Timestamp type of client bindings')],
  ['MULTI_STATEMENT_COUNT', recorded('NUMBER', 1, 'Statements allowed in one request')],
]);

/** Parameters whose other values would change results in ways recpipe does not emulate. */
const FIXED: Record<string, ParameterValue> = { QUOTED_IDENTIFIERS_IGNORE_CASE: false };

function checkTimeZone(v: ParameterValue): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: String(v) });
    return null;
  } catch {
    return `invalid value '${v}' for parameter 'TIMEZONE': not a time zone name such as 'UTC' or 'America/Los_Angeles'`;
  }
}

/** Checks and normalises a value for ALTER SESSION SET. */
export function checkParameter(name: string, value: unknown): ParameterValue {
  if (name in FIXED) {
    if (value === FIXED[name]) return FIXED[name];
    throw compilation('INVALID_ARGUMENT', `parameter '${name}' can only be ${FIXED[name]} in recpipe`);
  }
  const def = PARAMETERS.get(name);
  if (!def) throw compilation('INVALID_ARGUMENT', `invalid parameter '${name}'`);
  const bad = (): never => {
    throw compilation('INVALID_ARGUMENT', `invalid value [${String(value)}] for parameter '${name}' (expected ${def.kind})`);
  };
  let v: ParameterValue;
  if (def.kind === 'BOOLEAN') {
    const s = String(value).toUpperCase();
    v = s === 'TRUE' ? true : s === 'FALSE' ? false : bad();
  } else if (def.kind === 'NUMBER') {
    v = typeof value === 'number' && Number.isFinite(value) ? value : bad();
  } else {
    v = typeof value === 'string' ? value : bad();
  }
  const problem = def.check?.(v);
  if (problem) throw compilation('INVALID_ARGUMENT', problem);
  return v;
}

export function parameterValue(session: Session, name: string): ParameterValue | undefined {
  return session.parameters?.get(name) ?? PARAMETERS.get(name)?.default;
}

export const autocommit = (session: Session): boolean => parameterValue(session, 'AUTOCOMMIT') !== false;
