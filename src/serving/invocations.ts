import { invalid, type FactorModel, type Predictor } from '../core/index.js';
import { errorReply, jsonReply, replyForError, type HttpReply } from './http-reply.js';
import { parsePairsCsv, type Pairs } from './pairs-csv.js';
import { JSON_SHAPE, pairsOfJson, parseJsonBody } from './pairs-json.js';

export const ACCEPTED_TYPES = ['text/csv', 'application/json'] as const;

/** GET /ping: SageMaker's health check; the server only exists once its model is loaded. */
export function ping(model: FactorModel): HttpReply {
  return jsonReply(JSON.stringify({ status: 'ok', algorithm: model.algorithm, users: model.userIds.length, items: model.itemIds.length }));
}

/**
 * Scores pairs into `out[0..n)`, in order. May throw a RecpipeError, which becomes the error reply.
 * Lets one invocation protocol serve a fixed model (serve-model) or a named endpoint's current one.
 */
export type PairScorer = (users: readonly (string | number)[], items: readonly (string | number)[], out: Float64Array) => void;

/**
 * POST /invocations. `text/csv` in (user,item lines) → `text/csv` out, one clipped prediction per
 * pair in request order; `application/json` in → `{"predictions": [...]}`. Unknown users and items
 * get the model's fallback estimate (see core/model.ts), never an error.
 */
export function invocations(predictor: Predictor, contentType: string | undefined, body: string | undefined): HttpReply {
  return scoreInvocation(
    (users, items, out) => {
      for (let k = 0; k < users.length; k++) out[k] = predictor.predict(users[k], items[k]);
    },
    contentType,
    body,
  );
}

/**
 * The invocation protocol of `invocations` over any PairScorer. `otherJson` may answer a JSON body
 * that is not a list of pairs (an endpoint's fold-in requests); it returns null to leave the body
 * to the pairs protocol. The body is parsed once either way.
 */
export function scoreInvocation(
  score: PairScorer,
  contentType: string | undefined,
  body: string | undefined,
  otherJson?: (doc: unknown) => HttpReply | null,
): HttpReply {
  const type = mediaType(contentType);
  if (type !== 'text/csv' && type !== 'application/json') {
    return errorReply(
      'INVALID_ARGUMENT',
      `unsupported content type ${contentType === undefined ? '(none)' : JSON.stringify(contentType)}; send ${ACCEPTED_TYPES.join(' or ')}`,
      415,
    );
  }
  try {
    if (body === undefined || body.trim() === '') {
      throw invalid(type === 'text/csv' ? 'empty body: send user,item lines' : `empty body: send ${JSON_SHAPE}`);
    }
    let pairs: Pairs;
    if (type === 'text/csv') pairs = parsePairsCsv(body);
    else {
      const doc = parseJsonBody(body);
      const other = otherJson?.(doc);
      if (other) return other;
      pairs = pairsOfJson(doc);
    }
    if (pairs.users.length === 0) throw invalid('no user,item pairs in the body (only a header?)');
    const predictions = new Float64Array(pairs.users.length);
    score(pairs.users, pairs.items, predictions);
    return type === 'text/csv'
      ? { status: 200, contentType: 'text/csv; charset=utf-8', body: predictions.join('\n') + '\n' }
      : jsonReply(`{"predictions":[${predictions.join(',')}]}`);
  } catch (e) {
    return replyForError(e);
  }
}

/** `Text/CSV; charset=utf-8` → `text/csv`. */
function mediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const semi = header.indexOf(';');
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
}
