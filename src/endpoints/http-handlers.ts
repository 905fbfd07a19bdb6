import { isRecpipeError } from '../core/index.js';
import { errorReply, jsonReply, replyForError, scoreInvocation, type HttpReply } from '../serving/index.js';
import type { EndpointManager } from './endpoint-manager.js';
import { foldInInvocation } from './fold-in-invocation.js';
import type { ModelRuntime } from './model-runtime.js';

/**
 * The endpoint routes' behaviour as plain functions from request parts to a reply (the framework
 * only routes). Status codes: 404 unknown endpoint, 503 an endpoint that is not serving (retry
 * later: it is Creating, or Failed/Deleting), 409 a deploy that conflicts, 400 bad input.
 */
export function endpointErrorReply(e: unknown): HttpReply {
  if (isRecpipeError(e) && e.code === 'FAILED_PRECONDITION') return errorReply(e.code, e.message, 503);
  return replyForError(e);
}

/**
 * POST /endpoints/{name}/invocations: the serve-model protocol (text/csv, application/json) over the
 * endpoint's current model, plus JSON requests that fold new users in from their ratings (see foldInInvocation).
 * `fromModel` tells the model's own answers from the endpoint lookup's.
 */
export function invokeEndpoint(
  manager: EndpointManager,
  name: string,
  contentType: string | undefined,
  body: string | undefined,
): { reply: HttpReply; fromModel: boolean } {
  let model: ModelRuntime;
  try {
    model = manager.serving(name);
  } catch (e) {
    return { reply: endpointErrorReply(e), fromModel: false };
  }
  const started = performance.now();
  const reply = scoreInvocation(
    (users, items, out) => model.scoreInto(users, items, out),
    contentType,
    body,
    (doc) => foldInInvocation(model, doc),
  );
  manager.metrics.record(name, performance.now() - started, reply.status >= 400);
  return { reply, fromModel: true };
}

/** GET /endpoints/{name}/ping: 200 while the endpoint answers invocations (InService, or Updating on its old model), else 503 naming the status. */
export function pingEndpoint(manager: EndpointManager, name: string): HttpReply {
  try {
    const { model } = manager.serving(name);
    const { status, artifactUri } = manager.describe(name);
    return jsonReply(
      JSON.stringify({
        endpoint: name,
        status,
        artifactUri,
        algorithm: model.algorithm,
        users: model.userIds.length,
        items: model.itemIds.length,
      }),
    );
  } catch (e) {
    return endpointErrorReply(e);
  }
}

/** Runs a management call, answering its result as JSON with `status`, or the error reply. */
export async function manage(status: number, run: () => unknown): Promise<HttpReply> {
  try {
    return jsonReply(JSON.stringify(await run()), status);
  } catch (e) {
    return endpointErrorReply(e);
  }
}
