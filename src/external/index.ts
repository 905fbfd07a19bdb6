export {
  ExternalFunctions,
  type ApiKeyInput,
  type ExternalFunctionsOptions,
  type IntegrationInput,
  type SecretAccess,
  type StatementWords,
} from './external-functions.js';
export { DEFAULT_POLICY, type CallPolicy } from './protocol.js';
export { signatureOf, type ApiIntegration, type Compression, type ExternalFunction } from './records.js';
export { WarehouseLink, adapterType } from './warehouse-link.js';
