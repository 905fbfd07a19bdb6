import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from '../tokens.js';
import { QueryHistory, ResultCache } from '../query-history.js';
import { loadDialect, translate } from './index.js';
import { SessionKeyedCache } from './session-keyed-cache.js';

const session = (over: Record<string, unknown> = {}) => ({ database: 'DB', schema: 'S', role: 'R1', warehouse: null, user: 'U', ...over });
const translated = (text: string, s: ReturnType<typeof session>) => translate(text, tokenize(text), text, s, 'SELECT');

describe('translations kept by statement and the session fields they read', () => {
  it('serves one translation again while the fields it read are the same, and another once they differ', async () => {
    await loadDialect();
    const text = 'select a, b from cache_t where a > 1';
    const first = translated(text, session());
    assert.equal(translated(text, session()), first, 'the same text in the same context is the kept translation');
    // The role, user or warehouse does not change how a name resolves: still the kept one.
    assert.equal(translated(text, session({ role: 'R2', user: 'V' })), first);
    const other = translated(text, session({ schema: 'S2' }));
    assert.notEqual(other, first);
    assert.match(other.sql, /"S2"\."CACHE_T"/);
    assert.match(first.sql, /"S"\."CACHE_T"/);
    assert.equal(translated(text, session()), first, 'both contexts are kept');
  });

  it('keys on the role only for a statement that reads it', async () => {
    await loadDialect();
    const text = 'select current_role() as r';
    const r1 = translated(text, session());
    assert.match(r1.sql, /'R1'/);
    const r2 = translated(text, session({ role: 'R2' }));
    assert.match(r2.sql, /'R2'/);
    assert.equal(translated(text, session()), r1);
  });

  it('keeps nothing that read the session’s history (LAST_QUERY_ID changes with every statement)', async () => {
    await loadDialect();
    const history = new QueryHistory(new ResultCache(), 'U');
    const s = session({ history });
    const text = 'select last_query_id() as q';
    const ids = [history.record({ columns: [], rows: [] })];
    assert.match(translated(text, s).sql, new RegExp(ids[0]));
    ids.push(history.record({ columns: [], rows: [] }));
    assert.match(translated(text, s).sql, new RegExp(ids[1]));
  });

  it('does not keep failures, and keeps at most its capacity of statements', () => {
    const cache = new SessionKeyedCache<{ n: number }, number>(2);
    let made = 0;
    const make = (s: { n: number }) => {
      made++;
      if (s.n < 0) throw new Error('bad');
      return s.n * 10;
    };
    assert.throws(() => cache.get('k', { n: -1 }, make));
    assert.throws(() => cache.get('k', { n: -1 }, make));
    assert.equal(made, 2);
    assert.equal(cache.get('a', { n: 1 }, make), 10);
    assert.equal(cache.get('a', { n: 1 }, make), 10);
    assert.equal(made, 3);
    assert.equal(cache.get('a', { n: 2 }, make), 20, 'another value of a field read is another entry');
    cache.get('b', { n: 1 }, make);
    cache.get('c', { n: 1 }, make);
    made = 0;
    cache.get('a', { n: 1 }, make);
    assert.equal(made, 1, 'the oldest statement was forgotten');
  });
});
