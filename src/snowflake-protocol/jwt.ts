import { verify } from 'node:crypto';
import { fingerprintOf, publicKeyOf } from '../auth/index.js';

/** Snowflake accepts key-pair JWTs valid for at most an hour. */
const MAX_LIFETIME_S = 3_600;
/** Clock difference tolerated between the client that signed and this server. */
const SKEW_S = 60;

/** `fingerprint`: the key the login proved, kept with the login so unsetting that key ends it. */
export type JwtCheck = { ok: true; fingerprint: string } | { ok: false; reason: string };

/**
 * Checks a key-pair login's JWT as Snowflake does: RS256, `sub` = `ACCOUNT.USER`, `iss` =
 * `ACCOUNT.USER.SHA256:<fingerprint>` naming one of the user's public keys (`keys`, base64 DER),
 * signed by that key, and within its `iat`..`exp` lifetime of at most an hour. `nowMs` comes in (no clock here).
 * snowflake-sdk writes `iat`/`exp` in milliseconds, the standard in seconds: both are read.
 */
export function checkLoginJwt(token: string, loginName: string, keys: readonly string[], nowMs: number): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return refuse('it is not a JWT (three base64url parts separated by dots)');
  const header = jsonPart(parts[0]);
  const claims = jsonPart(parts[1]);
  if (header === null || claims === null) return refuse('its header or claims are not base64url JSON objects');
  if (header.alg !== 'RS256') return refuse(`its algorithm is ${JSON.stringify(header.alg)}; key-pair authentication signs with RS256`);
  const { iss, sub } = claims;
  if (typeof iss !== 'string' || typeof sub !== 'string') return refuse('it needs string iss and sub claims');
  const user = sub.slice(sub.indexOf('.') + 1);
  if (!sub.includes('.') || user.toUpperCase() !== loginName.toUpperCase())
    return refuse(`its subject ${JSON.stringify(sub)} is not ACCOUNT.${loginName.toUpperCase()}`);
  if (!iss.toUpperCase().startsWith(`${sub.toUpperCase()}.SHA256:`))
    return refuse('its issuer is not ACCOUNT.USER.SHA256:<public key fingerprint>');
  const fingerprint = iss.slice(sub.length + 1);
  const key = keys.find((k) => fingerprintOf(k) === fingerprint);
  if (key === undefined) return refuse(`the fingerprint ${fingerprint} is not one of the user's RSA public keys`);
  const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKeyOf(key), Buffer.from(parts[2], 'base64url'));
  if (!signed) return refuse("its signature does not match the user's public key");
  const iat = seconds(claims.iat);
  const exp = seconds(claims.exp);
  if (iat === null || exp === null) return refuse('it needs numeric iat and exp claims');
  const now = nowMs / 1000;
  if (exp <= now - SKEW_S) return refuse('it has expired');
  if (iat > now + SKEW_S) return refuse('it was issued in the future');
  if (exp - iat > MAX_LIFETIME_S) return refuse(`its lifetime is ${Math.round(exp - iat)} s; at most ${MAX_LIFETIME_S} s`);
  return { ok: true, fingerprint };
}

const refuse = (reason: string): JwtCheck => ({ ok: false, reason });

function jsonPart(part: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A NumericDate in seconds; values past the year 5000 in seconds are milliseconds (snowflake-sdk's). */
function seconds(v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  return v > 1e11 ? v / 1000 : v;
}
