import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdMap } from '../core/index.js';
import { BAD_ID, IdLookup, NULL_ID } from './id-lookup.js';

describe('IdLookup', () => {
  // Canonical ids of every kind, plus entries no normalised raw id can reach ("1.0", " x").
  const vocabulary = ['1', '42', '-7', '0', '1.5', 'alice', 'The Matrix', '9007199254740991', '1e+21', '1.0', ' x', '007'];
  const map = IdMap.from(vocabulary);
  const lookup = new IdLookup(vocabulary);
  const raws: (string | number | bigint)[] = [
    1,
    '1',
    1.0,
    '1.0',
    ' 1 ',
    '+1',
    '1e0',
    1n,
    '01',
    42,
    '42.000',
    -7,
    '-7',
    '-7.0',
    0,
    -0,
    '0',
    '-0',
    '0.0',
    1.5,
    '1.5',
    '1.50',
    '3/2',
    'alice',
    ' alice ',
    'Alice',
    'The Matrix',
    '9007199254740991',
    9007199254740991,
    9007199254740991n,
    9007199254740992,
    9007199254740993n,
    1e21,
    '1e21',
    '1e+21',
    ' x',
    'x',
    '007',
    7,
    'nobody',
    '',
    2 ** 40,
    -1.25,
    '9007199254740991.0',
    '1.5.0',
    '007.0',
    '-0.0',
    '42.0',
    ' 42.0',
    '1e+21.0',
    'alice.0',
  ];

  it('agrees with IdMap.lookup for every raw id', () => {
    for (const raw of raws) assert.equal(lookup.find(raw), map.lookup(raw), `raw ${typeof raw} ${String(raw)}`);
    assert.ok(raws.filter((r) => lookup.find(r) >= 0).length > 20, 'most raw ids above are known');
  });

  it('marks NULL and values that cannot be ids', () => {
    assert.equal(lookup.find(null), NULL_ID);
    assert.equal(lookup.find(undefined), NULL_ID);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, true, {}, [1], Symbol('x')])
      assert.equal(lookup.find(bad), BAD_ID, String(bad));
  });
});
