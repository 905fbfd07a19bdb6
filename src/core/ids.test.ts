import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareIds, IdMap, normalizeId } from './ids.js';

describe('normalizeId', () => {
  it('makes 1, "1", "1.0", " 1 " and 1.0 the same id', () => {
    for (const raw of [1, '1', '1.0', ' 1 ', 1.0, '+1', '01', 1n]) assert.equal(normalizeId(raw), '1', String(raw));
  });
  it('keeps fractional numbers and non-numeric strings apart', () => {
    assert.equal(normalizeId(1.5), '1.5');
    assert.equal(normalizeId('1.50'), '1.5');
    assert.equal(normalizeId('tt0114709'), 'tt0114709');
    assert.equal(normalizeId('  abc '), 'abc');
    assert.equal(normalizeId(-0), '0');
  });
  it('keeps integers beyond 2^53 exact as digits', () => {
    assert.equal(normalizeId('123456789012345678901'), '123456789012345678901');
  });
  it('refuses non-finite numbers', () => {
    assert.throws(() => normalizeId(Number.NaN), /finite/);
  });
});

describe('IdMap', () => {
  it('assigns inner ids in order of first appearance and looks up any raw form', () => {
    const m = new IdMap();
    assert.equal(m.intern('10'), 0);
    assert.equal(m.intern('2'), 1);
    assert.equal(m.intern('10'), 0);
    assert.equal(m.lookup(2.0), 1);
    assert.equal(m.lookup('10.0'), 0);
    assert.equal(m.lookup('3'), -1);
    assert.deepEqual(m.rawIds(), ['10', '2']);
  });
  it('rejects duplicate ids when built from a vocabulary', () => {
    assert.throws(() => IdMap.from(['1', '2', '1']), /duplicate id "1"/);
  });
});

describe('compareIds', () => {
  it('orders numbers numerically, before strings', () => {
    assert.deepEqual(['10', 'b', '9', 'a', '100'].sort(compareIds), ['9', '10', '100', 'a', 'b']);
  });
});
