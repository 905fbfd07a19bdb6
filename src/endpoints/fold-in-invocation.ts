import { invalid } from '../core/index.js';
import { jsonReply, pairsOfJson, replyForError, type HttpReply } from '../serving/index.js';
import type { ModelRuntime } from './model-runtime.js';
import { parseUserRatings, type UserRatings } from './user-ratings.js';

export const FOLD_IN_SHAPES =
  '{"instances": [[user, item], …], "ratings": {"<user>": [[item, rating], …]}} or {"recommend": [{"user": …, "k": 10, "ratings": [[item, rating], …]}, …]}';

const MAX_K = 10_000;

/**
 * The JSON invocations that carry new users' ratings (the CSV `user,item` protocol is unchanged):
 *
 *   {"instances": [[user, item], …], "ratings": {"<user>": [[item, rating], …]}}
 *     → {"predictions": [...], "sources": ["model" | "fold-in" | "fallback" | null, …]}
 *   {"recommend": [{"user": u, "k": 10, "ratings": [[item, rating], …]}, …]}   (or one object)
 *     → {"recommendations": [{"user", "items", "scores", "source": "model" | "fold-in" | "popularity"}, …]}
 *
 * A user the model does not know is folded in from her ratings; a known user is answered by the
 * model. Any other body returns null, for the pairs protocol.
 */
export function foldInInvocation(model: ModelRuntime, doc: unknown): HttpReply | null {
  if (!isObject(doc) || (doc.recommend === undefined && doc.ratings === undefined)) return null;
  try {
    if (doc.recommend !== undefined) return recommendReply(model, doc.recommend);
    if (!isObject(doc.ratings)) throw invalid(`"ratings" must map user ids to their ratings: ${FOLD_IN_SHAPES}`);
    const byUser = new Map<string, UserRatings | null>();
    for (const [user, list] of Object.entries(doc.ratings)) byUser.set(user, parseUserRatings(list, `ratings.${user}`));
    const pairs = pairsOfJson(doc);
    const out = new Float64Array(pairs.users.length);
    const sources = model.scoreWithFoldIn(pairs.users, pairs.items, out, (r) => byUser.get(String(pairs.users[r])) ?? null);
    return jsonReply(`{"predictions":[${out.join(',')}],"sources":${JSON.stringify(sources)}}`);
  } catch (e) {
    return replyForError(e);
  }
}

function recommendReply(model: ModelRuntime, requests: unknown): HttpReply {
  const list = Array.isArray(requests) ? requests : [requests];
  if (list.length === 0) throw invalid('"recommend" lists no users');
  const recommendations = list.map((x: unknown, n) => {
    const at = `recommend[${n}]`;
    if (!isObject(x)) throw invalid(`${at}: expected {"user": …, "k": 10, "ratings": [[item, rating], …]}, got ${JSON.stringify(x)}`);
    const user = x.user;
    if (!((typeof user === 'string' && user.trim() !== '') || (typeof user === 'number' && Number.isFinite(user))))
      throw invalid(`${at}.user must be a non-empty string or a number, got ${JSON.stringify(user ?? null)}`);
    const k = x.k ?? 10;
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1 || k > MAX_K)
      throw invalid(`${at}.k must be an integer from 1 to ${MAX_K}, got ${JSON.stringify(k)}`);
    const rec = model.recommend(user, k, parseUserRatings(x.ratings, `${at}.ratings`));
    return { user, ...rec };
  });
  return jsonReply(JSON.stringify({ recommendations }));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
