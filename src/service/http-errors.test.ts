import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecpipeError, type ErrorCode } from '../core/errors.js';
import { HTTP_STATUS, toErrorResponse } from './http-errors.js';

describe('toErrorResponse', () => {
  it('maps every error code through the one status table', () => {
    for (const code of Object.keys(HTTP_STATUS) as ErrorCode[]) {
      assert.deepEqual(toErrorResponse(new RecpipeError(code, `about ${code}`)), { status: HTTP_STATUS[code], body: { error: { code, message: `about ${code}` } } });
    }
  });

  it('turns framework client errors into INVALID_ARGUMENT and anything unexpected into INTERNAL 500', () => {
    const tooBig = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    assert.equal(toErrorResponse(tooBig).body.error.code, 'RESOURCE_EXHAUSTED');
    const media = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 });
    assert.deepEqual(toErrorResponse(media), { status: 415, body: { error: { code: 'INVALID_ARGUMENT', message: 'Unsupported Media Type' } } });
    assert.deepEqual(toErrorResponse(new TypeError('boom')), { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error: boom' } } });
  });
});
