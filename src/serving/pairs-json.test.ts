import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePairsJson } from './pairs-json.js';

describe('parsePairsJson', () => {
  it('reads {"instances": …}, a bare array, and pair or object instances', () => {
    const want = { users: [1, 'alice'], items: ['308', 2.5] };
    assert.deepEqual(parsePairsJson('{"instances": [[1, "308"], {"user": "alice", "item": 2.5}]}'), want);
    assert.deepEqual(parsePairsJson('[[1, "308"], ["alice", 2.5]]'), want);
  });

  it('names the instance and the value that is wrong', () => {
    const cases: [string, RegExp][] = [
      ['{"instances": [[1, 2], [3]]}', /^instances\[1\]: expected \[user, item\] or \{"user": …, "item": …\}, got \[3\]/],
      ['[{"user": 1}]', /^instances\[0\]: item id must be a non-empty string or a number, got undefined/],
      ['[[null, 2]]', /^instances\[0\]: user id must be .*, got null/],
      ['[["", 2]]', /^instances\[0\]: user id must be .*, got ""/],
      ['{"data": [[1, 2]]}', /^expected \{"instances"/],
      ['{"instances": [[1, 2]', /^the body is not valid JSON/],
    ];
    for (const [body, message] of cases) assert.throws(() => parsePairsJson(body), { code: 'INVALID_ARGUMENT', message }, body);
  });
});
