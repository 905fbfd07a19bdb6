import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql, tempDir, withEngine } from '../../tests/support/temp-engine.js';
import { writeTinyArtifact } from '../../tests/support/tiny-model-fixture.js';

/** A JSON column's value, whether the result carries it as text or parsed. */
const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

describe('fold-in in SQL', () => {
  it('recommend and invoke_model fold a new user in from her ratings, passed from the ratings table', async () => {
    const files = tempDir();
    try {
      const { manifest } = await writeTinyArtifact(join(files.dir, 'model'));
      await withEngine(async (e, s) => {
        e.endpoints.deploy('ep', manifest.uri);
        await e.endpoints.waitFor('ep', 'InService', 10_000);
        await e.execute(
          s,
          `create database movielens;
           create table ratings (userid varchar, movieid varchar, rating float);
           insert into ratings values ('zoe', '100', 5), ('zoe', '101', 1), ('zoe', '102', 4.5), ('1', '100', 3);
           create table people (userid varchar);
           insert into people values ('zoe'), ('1'), ('nobody')`,
        );
        const ratingsOf = `(select array_agg(object_construct('item', r.movieid, 'rating', r.rating)) from ratings r where r.userid = p.userid)`;
        const recs = await sql(e, s, `select p.userid, recommend('ep', p.userid, 4, ${ratingsOf}) from people p order by 1`);
        type Rec = { items: unknown[]; scores: number[]; source: string };
        // Numeric ids come back as JSON numbers (idToJson), as from the 3-argument recommend.
        const byUser = new Map(
          recs.rows.map((r) => [r[0], json(r[1]) as Rec]).map(([u, r]) => [u, { ...(r as Rec), items: (r as Rec).items.map(String) }]),
        );
        const runtime = e.endpoints.serving('ep');
        const zoe = { items: ['100', '101', '102'], ratings: [5, 1, 4.5] };
        assert.deepEqual(byUser.get('zoe'), { ...runtime.recommend('zoe', 4, zoe) });
        assert.equal(byUser.get('zoe')?.source, 'fold-in');
        assert.ok(!byUser.get('zoe')?.items.some((i) => zoe.items.includes(i)), 'never an item she rated');
        assert.equal(byUser.get('1')?.source, 'model');
        assert.equal(byUser.get('nobody')?.source, 'popularity');
        const three = await sql(e, s, "select recommend('ep', 'zoe', 3)");
        assert.deepEqual(
          (json(three.rows[0][0]) as unknown[]).map(String),
          byUser.get('nobody')?.items.slice(0, 3),
          'the 3-argument form: popularity',
        );

        const scored = await sql(e, s, `select invoke_model('ep', p.userid, '103', ${ratingsOf}) from people p order by p.userid`);
        const want = new Float64Array(3);
        runtime.scoreWithFoldIn(['1', 'nobody', 'zoe'], ['103', '103', '103'], want, (r) => (r === 2 ? zoe : null));
        assert.deepEqual(
          scored.rows.map((r) => r[0]),
          [...want],
        );
        await assert.rejects(
          sql(e, s, `select recommend('ep', 'zoe', 3, '[[100, "five"]]')`),
          /ratings at row 1\[0\]: the rating must be a number/,
        );
      });
    } finally {
      files.remove();
    }
  });
});
