import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecpipeError } from './errors.js';
import { IdMap } from './ids.js';
import { parseRatingsCsv } from './ratings-csv.js';

const parse = (text: string, extra: object = {}) => parseRatingsCsv(text, { source: 'r.csv', ...extra });

describe('parseRatingsCsv', () => {
  it('reads a headed CRLF file with timestamps, like MovieLens', () => {
    const { dataset, hadHeader } = parse('userId,movieId,rating,timestamp\r\n1,31,2.5,1260759144\r\n1,1029,3.0,1260759179\r\n2,31,4,1\r\n');
    assert.equal(hadHeader, true);
    assert.equal(dataset.size, 3);
    assert.deepEqual([...dataset.users], [0, 0, 1]);
    assert.deepEqual([...dataset.items], [0, 1, 0]);
    assert.deepEqual([...dataset.ratings], [2.5, 3, 4]);
    assert.deepEqual(dataset.scale, { min: 2.5, max: 4 });
  });
  it('reads headerless tab-separated text and quoted ids', () => {
    const { dataset, hadHeader } = parse('"1"\t"7"\t5\n1.0\t8\t1\n');
    assert.equal(hadHeader, false);
    assert.deepEqual(dataset.userIds.rawIds(), ['1']);
    assert.deepEqual(dataset.itemIds.rawIds(), ['7', '8']);
  });
  it('finds columns by header name in any order', () => {
    const { dataset } = parse('rating,item,user\n4,i1,u1\n');
    assert.equal(dataset.userIds.raw(0), 'u1');
    assert.equal(dataset.itemIds.raw(0), 'i1');
    assert.equal(dataset.ratings[0], 4);
  });
  it('names file, line, column and value of every bad row, and loads nothing', () => {
    const err = assert.throws(
      () => parse('user,item,rating\n1,2,3\n1,3\n1,4,abc\n,5,1\n'),
      (e: unknown) => e instanceof RecpipeError && e.code === 'INVALID_ARGUMENT',
    );
    void err;
    try {
      parse('user,item,rating\n1,2,3\n1,3\n1,4,abc\n,5,1\n');
    } catch (e) {
      const m = (e as Error).message;
      assert.match(m, /^r\.csv: 3 bad rows/);
      assert.match(m, /line 3: expected at least 3 fields \(user, item, rating\), got 2: "1,3"/);
      assert.match(m, /line 4, column 3 \(rating\): "abc" is not a number/);
      assert.match(m, /line 5, column 1 \(user\): empty user id/);
    }
  });
  it('refuses ratings outside a given scale', () => {
    assert.throws(() => parse('1,2,6\n', { scale: { min: 1, max: 5 } }), /line 1, column 3 \(rating\): 6 is outside the rating scale 1–5/);
  });
  it('refuses an empty file and a header-only file', () => {
    assert.throws(() => parse(''), /r\.csv: the file is empty/);
    assert.throws(() => parse('\r\n\n'), /the file is empty/);
    assert.throws(() => parse('user,item,rating\n'), /no ratings after the header/);
  });
  it('refuses an unterminated quote naming the line', () => {
    assert.throws(() => parse('1,2,3\n"1,2,3\n'), /line 2: unterminated quoted field/);
  });
  it('keeps the last rating of a duplicate pair by default and reports it', () => {
    const { dataset, duplicates } = parse('1,2,3\n1,3,4\n1.0,2,5\n');
    assert.equal(duplicates.count, 1);
    assert.equal(dataset.size, 2);
    assert.deepEqual([...dataset.ratings], [4, 5]);
    assert.deepEqual([...parse('1,2,3\n1,2,5\n', { duplicates: 'first' }).dataset.ratings], [3]);
    assert.throws(() => parse('1,2,3\n1,2,5\n', { duplicates: 'error' }), /duplicate rating for user 1 and item 2/);
  });
  it('shares vocabularies between files when asked', () => {
    const users = new IdMap();
    const items = new IdMap();
    parse('1,2,3\n', { userIds: users, itemIds: items });
    const b = parse('5,2,3\n1,9,1\n', { userIds: users, itemIds: items });
    assert.deepEqual([...b.dataset.users], [1, 0]);
    assert.deepEqual([...b.dataset.items], [0, 1]);
  });
});
