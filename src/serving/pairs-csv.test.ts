import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvField, parsePairsCsv } from './pairs-csv.js';

const pairs = (text: string) => {
  const p = parsePairsCsv(text);
  return p.users.map((u, k) => [u, p.items[k]]);
};

const failsAt = (text: string, line: number, what: RegExp) =>
  assert.throws(
    () => parsePairsCsv(text),
    (e: Error & { code: string }) => e.code === 'INVALID_ARGUMENT' && e.message.startsWith(`line ${line}: `) && what.test(e.message),
  );

describe('parsePairsCsv', () => {
  it("reads the guide's payload.csv", () => {
    assert.deepEqual(pairs('1,308\n1,425\n2,541\n2,1197\n'), [
      ['1', '308'],
      ['1', '425'],
      ['2', '541'],
      ['2', '1197'],
    ]);
  });

  it('tolerates CRLF, blank lines and a missing final newline', () => {
    assert.deepEqual(pairs('1,308\r\n\r\n2,541\r\n\n3,7'), [
      ['1', '308'],
      ['2', '541'],
      ['3', '7'],
    ]);
  });

  it('skips a header of known column names, and only on the first line', () => {
    assert.deepEqual(pairs('user,item\n1,2\n'), [['1', '2']]);
    assert.deepEqual(pairs('\r\nuserId,movieId\r\n1,2\r\n'), [['1', '2']]);
    assert.deepEqual(pairs('1,2\nuser,item\n'), [
      ['1', '2'],
      ['user', 'item'],
    ]);
    assert.deepEqual(pairs('alice,matrix\n'), [['alice', 'matrix']]);
  });

  it('reads double-quoted fields holding commas and escaped quotes', () => {
    assert.deepEqual(pairs('"1","308"\n"Smith, J","say ""hi"""\n'), [
      ['1', '308'],
      ['Smith, J', 'say "hi"'],
    ]);
    assert.deepEqual(pairs('a,"b,c"\r\n'), [['a', 'b,c']]);
  });

  it('names the line and the text of a malformed line', () => {
    failsAt('1,308\n1,425\n2541\n', 3, /expected 2 fields \(user,item\), got 1: "2541"/);
    failsAt('1,308\r\n\r\n1,2,3\r\n', 3, /got 3: "1,2,3"/);
    failsAt('1,308\n,5\n', 2, /empty user id: ",5"/);
    failsAt('1, \n', 1, /empty item id/);
    failsAt('1,2\n"1,2\n', 2, /unterminated quoted field: "\\"1,2"/);
    failsAt('"1"x,2\n', 1, /text after a closing quote/);
    failsAt('"a","b","c"\n', 1, /got 3/);
  });

  it('returns no pairs for a header alone or blank text', () => {
    assert.deepEqual(pairs('user,item\n'), []);
    assert.deepEqual(pairs('\n\r\n'), []);
  });
});

describe('csvField', () => {
  it('quotes only fields that need it, and round-trips through the parser', () => {
    assert.equal(csvField('308'), '308');
    const odd = ['Smith, J', 'say "hi"'];
    assert.equal(csvField(odd[0]), '"Smith, J"');
    assert.deepEqual(pairs(odd.map(csvField).join(',')), [odd]);
  });
});
