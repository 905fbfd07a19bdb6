export { ApiKeyStore, API_KEYS_FILE, API_KEYS_USED_FILE, type ApiKeyIdentity, type ApiKeyInfo } from './api-key-store.js';
export type { UsageCheck } from './usage.js';
export { presentedKey } from './presented-key.js';
export { Authenticator, type Caller } from './caller.js';
export { OWNER_TOKEN_FILE, ensureOwnerToken, ownerTokenFile, readOwnerToken } from './owner-token.js';
