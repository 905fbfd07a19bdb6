export { parseBatch, kind, type ArgValue, type Batch, type Signature } from './batch.js';
export { encodeResponse, MAX_BATCH_BYTES, PayloadTooLarge } from './response.js';
export { readBatchHeaders, type BatchHeaders, type HeaderBag } from './headers.js';
export { BatchCache, type Lookup, type StoredAnswer } from './batch-cache.js';
