export { SECRETS_FILE, SecretStore, checkSecretName, resolveSecret, type SecretSource } from './secret-store.js';
