import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { invalid } from '../core/errors.js';

/** Snowflake refuses RSA keys shorter than this for key-pair authentication. */
const MIN_RSA_BITS = 2048;

/** A user's RSA public key as Snowflake keeps it: base64 DER SubjectPublicKeyInfo, and its `SHA256:` fingerprint. */
export interface RsaPublicKey {
  readonly base64: string;
  readonly fingerprint: string;
}

/**
 * Reads an `RSA_PUBLIC_KEY` value: the base64 body of a PEM public key (how Snowflake's guide pastes
 * it), or the whole PEM with its BEGIN/END lines. Anything else is refused with the reason.
 */
export function parseRsaPublicKey(text: string): RsaPublicKey {
  const body = text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  if (body === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body))
    throw invalid('RSA_PUBLIC_KEY must be the base64 text of a PEM public key (the lines between BEGIN and END PUBLIC KEY)');
  let key: KeyObject;
  try {
    key = publicKeyOf(body);
  } catch (e) {
    throw invalid(`RSA_PUBLIC_KEY is not a DER SubjectPublicKeyInfo public key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalid(`RSA_PUBLIC_KEY must be an RSA key, not ${key.asymmetricKeyType}`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw invalid(`RSA_PUBLIC_KEY is a ${bits}-bit key; at least ${MIN_RSA_BITS} bits are needed`);
  return { base64: body, fingerprint: fingerprintOf(body) };
}

/** `SHA256:` and the base64 SHA-256 of the key's DER bytes, as Snowflake shows in RSA_PUBLIC_KEY_FP and expects in a JWT's issuer. */
export function fingerprintOf(base64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64')}`;
}

export function publicKeyOf(base64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
}
