import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorReply, jsonReply } from '../serving/index.js';
import { sagemakerInvocation } from './runtime-face.js';

const parsed = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown>;

describe('sagemakerInvocation', () => {
  it('names the production variant on success, for every caller', () => {
    const r = sagemakerInvocation('e', 'v1', jsonReply('{"predictions":[1]}'), true, false);
    assert.equal(r.headers?.['x-amzn-invoked-production-variant'], 'v1');
    assert.equal(r.body, '{"predictions":[1]}');
  });

  it("keeps recpipe's errors for API-key callers", () => {
    const r = sagemakerInvocation('e', 'v1', errorReply('NOT_FOUND', 'Could not find endpoint e'), false, false);
    assert.equal(r.status, 404);
  });

  it("gives AWS callers SageMaker's types and statuses", () => {
    const cases = [
      [errorReply('NOT_FOUND', 'Could not find endpoint e'), false, 'ValidationError', 400],
      [errorReply('FAILED_PRECONDITION', 'Endpoint e is not InService (status Creating)', 503), false, 'ModelNotReadyException', 429],
      [errorReply('INVALID_ARGUMENT', 'line 2: expected user,item'), true, 'ModelError', 424],
      [errorReply('RESOURCE_EXHAUSTED', 'the request body is larger than the 6 MB limit', 413), false, 'ValidationError', 413],
      [errorReply('INTERNAL', 'boom'), true, 'InternalFailure', 500],
    ] as const;
    for (const [reply, fromModel, type, status] of cases) {
      const r = sagemakerInvocation('e', 'v1', reply, fromModel, true);
      assert.equal(r.status, status, type);
      assert.equal(r.headers?.['x-amzn-errortype'], type);
      assert.equal(parsed(r).__type, type);
    }
    const model = parsed(sagemakerInvocation('e', 'v1', errorReply('INVALID_ARGUMENT', 'line 2: bad'), true, true));
    assert.equal(model.OriginalStatusCode, 400);
    assert.equal(model.OriginalMessage, 'line 2: bad');
    assert.equal(
      parsed(sagemakerInvocation('e', 'v', errorReply('NOT_FOUND', 'x'), false, true)).message,
      'Endpoint e of account 000000000000 not found.',
    );
  });
});
