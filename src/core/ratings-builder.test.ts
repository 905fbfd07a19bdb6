import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferScale } from './dataset.js';
import { NumberCodes } from './id-codes.js';
import { RatingsBuilder, ratingsFromRows } from './ratings-builder.js';

describe('RatingsBuilder', () => {
  it('interns numeric id columns chunk by chunk in order of first appearance, exactly as one pass', () => {
    const n = 200_000;
    const users = Float64Array.from({ length: n }, (_, k) => (k * 7919) % 50_021);
    const items = Float64Array.from({ length: n }, (_, k) => ((k * 104_729) % 9_973) + 0.5);
    const ratings = Float64Array.from({ length: n }, (_, k) => 1 + (k % 5));
    const whole = new RatingsBuilder({ expectedRows: 10 });
    whole.append(users, items, ratings, n);
    const chunked = new RatingsBuilder();
    for (let at = 0; at < n; at += 2048) {
      const to = Math.min(n, at + 2048);
      chunked.append(users.subarray(at, to), items.subarray(at, to), ratings.subarray(at, to), to - at);
    }
    const a = whole.finish('a').dataset;
    const b = chunked.finish('b').dataset;
    assert.deepEqual([a.userIds.size, a.itemIds.size], [50_021, 9_973]);
    assert.deepEqual(a.users, b.users);
    assert.deepEqual(a.items, b.items);
    assert.equal(a.userIds.raw(a.users[1]), String(7919));
    assert.equal(a.itemIds.raw(a.items[1]), String((104_729 % 9_973) + 0.5));
  });
  it('merges ids that normalise alike, in text and number columns alike', () => {
    const { dataset } = ratingsFromRows([
      ['1', 'a', 3],
      [' 1.0 ', 'a', 4],
      [1, ' a', 5],
      ['01', 'b', 1],
    ]);
    assert.deepEqual(dataset.userIds.rawIds(), ['1']);
    assert.deepEqual(dataset.itemIds.rawIds(), ['a', 'b']);
    assert.equal(dataset.size, 2);
    assert.deepEqual([...dataset.ratings], [5, 1]);
  });
  it('refuses NULL ids and non-finite ratings by row, and flags ids a double cannot carry', () => {
    const b = new RatingsBuilder({ scale: { min: 1, max: 5 } });
    b.append(Float64Array.of(1, NaN, 3, 2 ** 60), Float64Array.of(1, 1, 1, 1), [Infinity, 2, 9, 3], 4);
    assert.equal(b.badRows, 4);
    assert.deepEqual(
      b.problems.map((p) => [p.row, p.field]),
      [
        [0, 'rating'],
        [1, 'user'],
        [2, 'rating'],
        [3, 'user'],
      ],
    );
    assert.equal(b.inexact, 'user');
    assert.throws(() => b.finish('x'), /finish\(\) after refused rows/);
  });
  it('counts negative ratings for a warning and keeps them', () => {
    const b = new RatingsBuilder();
    b.append(['u', 'u', 'v'], ['i', 'j', 'i'], [1, -2, -3], 3);
    const built = b.finish('neg');
    assert.deepEqual(built.negative, { count: 2, firstRow: 1 });
    assert.deepEqual(built.dataset.scale, { min: -3, max: 1 });
  });
  it('reduces duplicates per user without a map of pairs: last, first or error', () => {
    const rows = [
      ['u1', 'i1', 1],
      ['u2', 'i1', 2],
      ['u1', 'i1', 3],
      ['u1', 'i2', 4],
      ['u1', 'i1', 5],
    ] as const;
    const last = ratingsFromRows(rows);
    assert.deepEqual(last.duplicates, { count: 2, firstRow: 2 });
    assert.deepEqual([...last.dataset.ratings], [2, 4, 5]);
    assert.deepEqual([...ratingsFromRows(rows, { duplicates: 'first' }).dataset.ratings], [1, 2, 4]);
    assert.throws(() => ratingsFromRows(rows, { duplicates: 'error' }), /duplicate rating for user u1 and item i1/);
  });
  it('codes numbers alike through the direct table and the hash, across their boundary and while both grow', () => {
    const edge = [0, -0, 5, 2 ** 22 - 1, 2 ** 22, 2 ** 22 + 7, -3, 1.5, 5, 2 ** 22, 1e6, 2 ** 22 - 1, -3];
    // A deterministic mix: small ids (direct), large and negative ones and fractions (hash), each seen several times.
    const mixed = Array.from({ length: 60_000 }, (_, k) => {
      const x = (k * 7919) % 20_011;
      return k % 4 === 0 ? x : k % 4 === 1 ? 2 ** 22 + x * 3 : k % 4 === 2 ? -x : x + 0.25;
    });
    const values = [...edge, ...mixed, ...edge];
    const codes = new NumberCodes();
    const reference = new Map<number, number>();
    for (const v of values) {
      const key = v === 0 ? 0 : v; // -0 and 0 are one id
      if (!reference.has(key)) reference.set(key, reference.size);
      assert.equal(codes.code(v), reference.get(key), `code of ${v}`);
    }
    assert.equal(codes.size, reference.size);
    assert.deepEqual(
      [...codes.values()].map((v) => (v === 0 ? 0 : v)),
      [...reference.keys()],
    );
  });
  it('reduces duplicates alike when the rows are already grouped by user', () => {
    const rows = [
      ['u1', 'i1', 1],
      ['u1', 'i2', 2],
      ['u1', 'i1', 3],
      ['u2', 'i1', 4],
      ['u2', 'i1', 5],
    ] as const;
    const last = ratingsFromRows(rows);
    assert.deepEqual(last.duplicates, { count: 2, firstRow: 2 });
    assert.deepEqual([...last.dataset.ratings], [2, 3, 5]);
    assert.deepEqual([...last.dataset.users], [0, 0, 1]);
    assert.deepEqual([...ratingsFromRows(rows, { duplicates: 'first' }).dataset.ratings], [1, 2, 4]);
  });
  it('infers the scale of the ratings as stored (float32), as a pass over them does', () => {
    const b = new RatingsBuilder();
    b.append(Float64Array.of(1, 2, 3), Float64Array.of(1, 1, 1), [0.1, 4.7, 2.2], 3);
    const { dataset } = b.finish('fractions');
    assert.deepEqual(dataset.scale, inferScale(dataset.ratings));
    assert.equal(dataset.scale.min, Math.fround(0.1));
  });
});
