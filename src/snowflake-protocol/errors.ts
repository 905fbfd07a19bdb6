import { isRecpipeError } from '../core/errors.js';
import { ERROR_STATUS } from '../util/error-status.js';

/** An error as Snowflake's drivers read it: a six-digit code, an SQLSTATE and the message. */
export interface SfError {
  readonly code: string;
  readonly sqlState: string;
  readonly message: string;
}

/** Snowflake's session and login codes, which drivers act on (renew the token, reconnect, report a bad password). */
export const SF_CODES = {
  badCredentials: '390100',
  userDisabled: '390101',
  userLocked: '390102',
  invalidToken: '390104',
  goneSession: '390111',
  sessionExpired: '390112',
  masterExpired: '390114',
  badRole: '390189',
  unsupportedAuthenticator: '390196',
  jwtInvalid: '390144',
  multiStatementCount: '000008',
  canceled: '000604',
  internal: '000603',
  inProgress: '333333',
  inProgressAsync: '333334',
} as const;

/** Snowflake's answer to a sign-in of a user locked after too many wrong passwords (console and driver alike). */
export const USER_LOCKED =
  'User temporarily locked: your user account has been temporarily locked due to too many failed attempts. Try again after 15 minutes or contact your account administrator for assistance.';

/** Snowflake's answer to a sign-in of a disabled user (ALTER USER … SET DISABLED = TRUE). */
export const USER_DISABLED = 'User access disabled. Contact your local system administrator.';

const BY_MESSAGE: readonly [RegExp, string, string][] = [
  [/does not exist or not authorized/i, '002003', '42S02'],
  [/insufficient privileges/i, '003001', '42501'],
  [/syntax error/i, '001003', '42000'],
  [/already exists/i, '002002', '42710'],
];

/** Maps anything a statement threw to Snowflake's code and SQLSTATE, keeping recpipe's message. */
export function sfErrorOf(e: unknown): SfError {
  if (!isRecpipeError(e))
    return { code: SF_CODES.internal, sqlState: 'XX000', message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
  const own = e.details.snowflakeCode;
  if (typeof own === 'string') return { code: own, sqlState: '0A000', message: e.message };
  for (const [pattern, code, sqlState] of BY_MESSAGE) if (pattern.test(e.message)) return { code, sqlState, message: e.message };
  return { ...ERROR_STATUS[e.code].snowflake, message: e.message };
}
