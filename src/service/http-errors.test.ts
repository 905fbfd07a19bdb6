import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { RecpipeError, type ErrorCode } from '../core/errors.js';
import { errorReply } from '../serving/http-reply.js';
import { ERROR_CODES, ERROR_STATUS } from '../util/error-status.js';
import { sendError, toErrorResponse } from './http-errors.js';

describe('toErrorResponse', () => {
  it('maps every error code through the one status table, as the model server does', () => {
    for (const code of ERROR_CODES) {
      assert.deepEqual(toErrorResponse(new RecpipeError(code, `about ${code}`)), {
        status: ERROR_STATUS[code].http,
        body: { error: { code, message: `about ${code}` } },
      });
      assert.equal(errorReply(code, 'x').status, ERROR_STATUS[code].http, code);
    }
    assert.equal(ERROR_STATUS.FAILED_PRECONDITION.http, 409);
    assert.equal(ERROR_STATUS.UNAUTHENTICATED.http, 401);
    const exits = ERROR_CODES.map((c: ErrorCode) => ERROR_STATUS[c].exit);
    assert.equal(new Set(exits).size, exits.length, 'one exit code per error code');
  });

  it('turns framework client errors into INVALID_ARGUMENT and anything unexpected into INTERNAL 500', () => {
    const tooBig = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    assert.equal(toErrorResponse(tooBig).body.error.code, 'RESOURCE_EXHAUSTED');
    const media = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 });
    assert.deepEqual(toErrorResponse(media), {
      status: 415,
      body: { error: { code: 'INVALID_ARGUMENT', message: 'Unsupported Media Type' } },
    });
    assert.deepEqual(toErrorResponse(new TypeError('boom')), {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'internal error: boom' } },
    });
  });
});

describe('sendError', () => {
  it('is the one error reply: status from the table, the error body, Retry-After with 429 and a Bearer challenge with 401', async () => {
    const app = Fastify();
    app.get('/:code', async (request, reply) => sendError(reply, new RecpipeError((request.params as { code: ErrorCode }).code, 'no')));
    try {
      for (const code of ERROR_CODES) {
        const res = await app.inject({ method: 'GET', url: `/${code}` });
        assert.equal(res.statusCode, ERROR_STATUS[code].http, code);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.deepEqual(res.json(), { error: { code, message: 'no' } });
        assert.equal(res.headers['retry-after'], code === 'RESOURCE_EXHAUSTED' ? '1' : undefined, code);
        assert.equal(res.headers['www-authenticate'], code === 'UNAUTHENTICATED' ? 'Bearer' : undefined, code);
      }
    } finally {
      await app.close();
    }
  });
});
