/**
 * SageMaker-style model server (the inference-container contract):
 *
 *   GET  /ping         200 {"status":"ok","algorithm",…} once the model is loaded.
 *   POST /invocations  text/csv: `user,item` lines (CRLF or LF, blank lines, optional header such as
 *                      `user,item`, double-quoted fields) → text/csv, one prediction per pair, in order.
 *                      application/json: {"instances": [[u, i] | {"user", "item"}, …]} or the bare
 *                      array → {"predictions": [...]}.
 *
 * Predictions are clipped to the rating scale; unknown users/items get the model's fallback.
 * Errors are always JSON {"error": {"code", "message"}}: 400 malformed or empty body (naming the
 * line or instance), 413 body over 6 MB, 415 other content types, 404 other routes.
 */
export { createModelServer, MAX_PAYLOAD_BYTES, type ModelServerOptions } from './model-server.js';
export { invocations, scoreInvocation, ping, ACCEPTED_TYPES, type PairScorer } from './invocations.js';
export { parsePairsCsv, csvField, type Pairs } from './pairs-csv.js';
export { pairsOfJson, parsePairsJson } from './pairs-json.js';
export { errorReply, jsonReply, replyForError, type HttpReply } from './http-reply.js';
export { acceptRawBodies, frameworkErrorReply, sendReply } from './raw-bodies.js';
