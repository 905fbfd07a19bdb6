import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IdMap, RecpipeError, ratingsFromRows } from '../../core/index.js';
import { withRatingsFileReader, type ReadRatingsCsvOptions } from './ratings-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'recpipe-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer): string => {
  const path = join(dir, `r${n++}.csv`);
  writeFileSync(path, content);
  return path;
};
const read = (content: string | Buffer, opts: ReadRatingsCsvOptions = {}) => withRatingsFileReader((r) => r(file(content), opts));
const T = { timeout: 180_000 };

describe('readRatingsCsv', () => {
  it('reads a tab-separated CRLF file (u.data converted on Windows): no \\r kept, errors at the right line and column', T, async () => {
    const udata = '196\t242\t3\t881250949\r\n186\t302\t3\t891717742\r\n22\t377\t1\t878887116\r\n';
    const { dataset } = await read(udata);
    assert.deepEqual([...dataset.ratings], [3, 3, 1]);
    assert.deepEqual([...(dataset.timestamps ?? [])], [881250949, 891717742, 878887116], 'the last field is a number, not "…\\r"');
    // Text ids in the last field keep no carriage return either.
    const text = await read('rating\tuser\titem\r\n3\t196\tab\r\n3.5\t186\tcd\r\n');
    assert.deepEqual(text.dataset.itemIds.rawIds(), ['ab', 'cd']);
    await assert.rejects(read('196\t242\t3\t881250949\r\n186\t302\tx\t891717742\r\n'), /line 2, column 3 \(rating\): "x" is not a number/);
    await assert.rejects(read('196\t242\t3\r\n\r\n186\t302\t3.5\r\n22\t377\tx\r\n'), /line 4, column 3 \(rating\): "x" is not a number/);
    await assert.rejects(read('196\t242\t3\r\n186\t302\r\n'), /line 2: expected 3 fields like the first line, Found: 2: "186\\t302"/);
    const negative = await read('196\t242\t3\r\n186\t302\t4\r\n22\t377\t-1\r\n');
    assert.match(negative.warnings[0], /the first at line 3, column 3/);
  });

  it('names the first line of a file that mixes CRLF and LF line ends (DuckDB fails such a file without a line)', T, async () => {
    await assert.rejects(
      read('196\t242\t3\r\n186\t302\t4\r\n22\t377\t1\n9\t9\t9\r\n'),
      /line 3 ends with LF but line 1 ends with CRLF; the CSV reader takes one kind of line ending per file/,
    );
    await assert.rejects(read('196,242,3\n186,302,4\r\n'), /line 2 ends with CRLF but line 1 ends with LF/);
  });

  it('reads a headed CRLF file with timestamps, like MovieLens', T, async () => {
    const { dataset } = await read('userId,movieId,rating,timestamp\r\n1,31,2.5,1260759144\r\n1,1029,3.0,1260759179\r\n2,31,4,1\r\n');
    assert.deepEqual([...dataset.users], [0, 0, 1]);
    assert.deepEqual([...dataset.items], [0, 1, 0]);
    assert.deepEqual([...dataset.ratings], [2.5, 3, 4]);
    assert.deepEqual(dataset.scale, { min: 2.5, max: 4 });
    assert.deepEqual([...(dataset.timestamps ?? [])], [1260759144, 1260759179, 1]);
  });
  it('keeps timestamps through duplicates, leaves out a non-numeric time column, and names a bad timestamp', T, async () => {
    const { dataset } = await read('u,i,r,ts\n1,2,3,10\n1,2,4,20\n2,2,5,\n');
    assert.deepEqual([...dataset.ratings], [4, 5], 'the last rating of a pair is kept');
    assert.deepEqual([...(dataset.timestamps ?? [])], [20, Number.NaN]);
    assert.equal((await read('u,i,r,when\n1,2,3,yesterday\n')).dataset.timestamps, undefined);
    assert.equal((await read('1,2,3\n')).dataset.timestamps, undefined);
    assert.equal((await read('1,2,3,10\n1,3,3,soon\n')).dataset.timestamps, undefined, 'not numeric in the sample: not a timestamp');
    // Past the 64 KiB the layout samples, a bad timestamp is a bad row like any other.
    const long = Array.from({ length: 8000 }, (_, k) => `1,${k},3,${k}`).join('\n');
    await assert.rejects(read(`${long}\n2,1,3,soon\n`), /line 8001, column 4 \(field 4\): "soon" is not a number/);
    // Left out on request (training never looks at time): the column is then not read at all.
    assert.equal((await read('u,i,r,ts\n1,2,3,10\n', { timestamps: false })).dataset.timestamps, undefined);
    assert.equal((await read(`${long}\n2,1,3,soon\n`, { timestamps: false })).dataset.size, 8001);
  });
  it('reads headerless tab-separated text, quoted ids, and names columns in any order', T, async () => {
    const tsv = await read('"1"\t"7"\t5\n1.0\t8\t1\n');
    assert.deepEqual(tsv.dataset.userIds.rawIds(), ['1']);
    assert.deepEqual(tsv.dataset.itemIds.rawIds(), ['7', '8']);
    const named = await read('rating,item,user\n4,i1,u1\n');
    assert.deepEqual([named.dataset.userIds.raw(0), named.dataset.itemIds.raw(0), named.dataset.ratings[0]], ['u1', 'i1', 4]);
  });
  it('reads text ids found after numeric ones, and integers beyond 2^53 exactly', T, async () => {
    const lines = ['1,2,3'];
    for (let i = 0; i < 5000; i++) lines.push(`${i},${i},1`);
    const { dataset } = await read([...lines, 'abc,123456789012345678901,4'].join('\n'));
    assert.equal(dataset.userIds.raw(dataset.users[dataset.size - 1]), 'abc');
    assert.equal(dataset.itemIds.raw(dataset.items[dataset.size - 1]), '123456789012345678901');
  });
  it('names file, line, column and value of every bad row and returns nothing', T, async () => {
    const path = file('user,item,rating\n1,2,3\n1,3\n\n1,4,abc\n,5,1\n1,6,inf\n');
    const e = await withRatingsFileReader((r) => r(path)).then(
      () => assert.fail('read a bad file'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof RecpipeError && e.code === 'INVALID_ARGUMENT');
    assert.match(e.message, new RegExp(`^${path.replace(/[.]/g, '\\.')}: 4 bad rows: `));
    assert.match(e.message, /line 3: expected 3 fields/);
    assert.match(e.message, /line 5, column 3 \(rating\): "abc" is not a number/);
    assert.match(e.message, /line 6, column 1 \(user\): "" is an empty user id/);
    assert.match(e.message, /line 7, column 3 \(rating\): "inf" is not a finite number/);
  });
  it('refuses a binary file, an over-long line and ratings outside a given scale', T, async () => {
    await assert.rejects(read(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x2c, 0x31])), /not a text file \(a NUL byte at byte 5\)/);
    await assert.rejects(read(`1,2,3\n1,3,${'9'.repeat(3_000_000)}\n`), /1 bad row: line 2: the line is too long to be a rating/);
    await assert.rejects(
      read('1,2,3\n1,3,6\n', { scale: { min: 1, max: 5 } }),
      /line 2, column 3 \(rating\): "6" is outside the rating scale 1–5/,
    );
  });
  it('counts negative ratings as a warning naming the first line', T, async () => {
    const { warnings, dataset } = await read('1,2,3\n\n1,3,-1\n1,4,-2\n');
    assert.equal(dataset.size, 3);
    assert.match(warnings[0], /2 negative ratings \(the first at line 3, column 3\)/);
  });
  it('refuses missing, empty and header-only files by name', T, async () => {
    await assert.rejects(
      withRatingsFileReader((r) => r(join(dir, 'nope.csv'))),
      /ratings file not found: .*nope\.csv/,
    );
    await assert.rejects(read('\r\n\n'), /the file is empty/);
    await assert.rejects(read('user,item,rating\n'), /no ratings to read/);
    await assert.rejects(read('1,2,3\n"1,2,3\n'), /line 2: unterminated quoted field/);
  });
  it('keeps the last rating of a duplicate pair, in data order, and counts them', T, async () => {
    const { dataset, duplicates } = await read('1,2,3\n1,3,4\n1.0,2,5\n2,2,1\n1,2,2\n');
    assert.deepEqual(duplicates, { count: 2, firstRow: 2 });
    assert.deepEqual([...dataset.ratings], [4, 1, 2]);
    assert.deepEqual([...(await read('1,2,3\n1,2,5\n', { duplicates: 'first' })).dataset.ratings], [3]);
    await assert.rejects(read('1,2,3\n1,2,5\n', { duplicates: 'error' }), /duplicate rating for user 1 and item 2/);
  });
  it('shares vocabularies between files when asked', T, async () => {
    const userIds = new IdMap();
    const itemIds = new IdMap();
    await read('1,2,3\n', { userIds, itemIds });
    const b = await read('5,2,3\n1,9,1\n', { userIds, itemIds });
    assert.deepEqual([...b.dataset.users], [1, 0]);
    assert.deepEqual([...b.dataset.items], [0, 1]);
  });
  it('reads across DuckDB chunks as one pass: duplicates far apart keep the last, bad rows far down keep their lines', T, async () => {
    // 30,000 rows span 15 result chunks of 2,048; user u re-rates item 1 twenty thousand rows later.
    const rows: [string, string, number][] = [];
    for (let k = 0; k < 30_000; k++) rows.push([String(k % 1500), String(1 + ((k * 7) % 400)), 1 + (k % 9) / 2]);
    for (let k = 0; k < 50; k++) rows.push([String(k), '1', 0.5]);
    const text = rows.map((r) => r.join(',')).join('\n');
    const { dataset, duplicates } = await read(`user,item,rating\n${text}\n`);
    const expected = ratingsFromRows(rows);
    assert.ok(duplicates.count > 50);
    assert.deepEqual(duplicates, expected.duplicates);
    assert.deepEqual([...dataset.users], [...expected.dataset.users]);
    assert.deepEqual([...dataset.items], [...expected.dataset.items]);
    assert.deepEqual([...dataset.ratings], [...expected.dataset.ratings]);
    assert.deepEqual(dataset.userIds.rawIds(), expected.dataset.userIds.rawIds());
    const rated = (u: string) =>
      dataset.ratings[
        [...dataset.users].findIndex((x, r) => dataset.userIds.raw(x) === u && dataset.itemIds.raw(dataset.items[r]) === '1')
      ];
    assert.equal(rated('7'), 0.5, 'the re-rating, 30,000 rows later, wins');
    // A short row (DuckDB's reject) in chunk 2, an empty id the builder refuses in chunk 12.
    const bad = text.split('\n');
    bad[5000] = '1,2';
    bad[25_000] = ',3,4';
    await assert.rejects(
      read(`user,item,rating\n${bad.join('\n')}\n`),
      /: 2 bad rows: line 5002: expected 3 fields.*; line 25002, column 1 \(user\): "" has no user id$/,
    );
  });
  it('counts every bad line of a file of bad lines, keeping only the first to describe', T, async () => {
    const lines = Array.from({ length: 12_000 }, (_, k) => `${k};${k};3`).join('\n');
    await assert.rejects(read(`1,2,3\n${lines}\n`), /: 12000 bad rows \(and 11995 more\): line 2: expected 3 fields/);
  });
});
