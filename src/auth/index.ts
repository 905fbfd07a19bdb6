export {
  ApiKeyStore,
  API_KEYS_FILE,
  awsSecretName,
  isAwsKeyPrefix,
  API_KEYS_USED_FILE,
  type ApiKeyIdentity,
  type ApiKeyInfo,
} from './api-key-store.js';
export type { UsageCheck } from './usage.js';
export { presentedKey } from './presented-key.js';
export { Authenticator, type Caller } from './caller.js';
export { OWNER_TOKEN_FILE, ensureOwnerToken, ownerTokenFile, readOwnerToken } from './owner-token.js';
export { SigV4Verifier, isSigV4, type SignedRequest, type SigV4Options } from './sigv4.js';
export { fingerprintOf, parseRsaPublicKey, publicKeyOf, type RsaPublicKey } from './rsa-public-key.js';
