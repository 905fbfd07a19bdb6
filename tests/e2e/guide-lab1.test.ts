import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { mlSmall, sharedDataSkip } from '../support/shared-data.js';
import { withEngine } from '../support/temp-engine.js';

/** The guide's first SQL block, as written there. */
const SETUP = `use role sysadmin;
create database MOVIELENS;
use schema movielens.public;


create table movies  (
    movieid int,
    title varchar,
    genres varchar
);

create or replace table ratings (
    userid int,
    movieid int,
    rating float,
    timestamp timestamp_ntz
);`;

/**
 * The guide loads both files through the web UI with a new file format "MOVIELENS" (header lines
 * to skip: 1, field optionally enclosed by: double quote) and an XS warehouse; this is that, in SQL.
 */
const LOAD = `create or replace warehouse COMPUTE_WH with warehouse_size='XSMALL' auto_suspend=60 auto_resume=true;
create or replace file format MOVIELENS type=csv skip_header=1 field_optionally_enclosed_by='"';
copy into movies from 'file://${mlSmall('movies.csv')}' file_format=(format_name=MOVIELENS);
copy into ratings from 'file://${mlSmall('ratings.csv')}' file_format=(format_name=MOVIELENS);`;

const TEST_TABLES = `use warehouse COMPUTE_WH;
select * from ratings limit 10;

-- INPUT TABLE: small dataset for local testing
create table ratings_train_data_local_test as
(select USERID, MOVIEID, RATING from ratings limit 1000);

-- OUTPUT TABLE: top 10 recommendations for local_testing
create or replace table user_movie_recommendations_local_test
(USERID float, RECOMMENDATIONS variant);`;

const TRAINING_TABLES = `create or replace table ratings_train_data as 
    (select USERID, MOVIEID, RATING from ratings limit 10000);

create or replace table user_movie_recommendations 
(USERID float, RECOMMENDATIONS variant);`;

const NO_RATINGS = `-- create a table to hold pairs of users and movies where we DO NOT have a rating
create or replace table no_ratings (USERID float, MOVIEID float);

insert into no_ratings (USERID, MOVIEID) values
    ('1', '610'),
    ('10', '313'),
    ('10', '297'),
    ('5', '18'),
    ('5', '19');`;

const JOIN = `select nr.USERID, nr.MOVIEID, m.title
from no_ratings nr, movies m
where nr.movieid = m.movieid;`;

/** Facts read straight from the CSV files, to check the load against. */
function csvFacts() {
  const ratings = readFileSync(mlSmall('ratings.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','));
  const movieLines = readFileSync(mlSmall('movies.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  const titles = new Map(
    movieLines.map((l) => {
      const m = /^(\d+),("(?:[^"]|"")*"|[^,]*),/.exec(l)!;
      return [Number(m[1]), m[2].startsWith('"') ? m[2].slice(1, -1).replaceAll('""', '"') : m[2]];
    }),
  );
  return {
    ratings: ratings.length,
    ratingSum: ratings.reduce((s, r) => s + Number(r[2]), 0),
    first: ratings[0],
    movies: movieLines.length,
    titles,
  };
}

describe('guide Lab 1: tables, load and test data in the embedded warehouse', { skip: sharedDataSkip }, () => {
  it('runs the guide SQL end to end', () =>
    withEngine(async (engine, session) => {
      const facts = csvFacts();

      const setup = await engine.execute(session, SETUP);
      assert.deepEqual(
        setup.map((r) => r.message),
        [
          'Statement executed successfully.',
          'Database MOVIELENS successfully created.',
          'Statement executed successfully.',
          'Table MOVIES successfully created.',
          'Table RATINGS successfully created.',
        ],
      );
      assert.deepEqual([session.role, session.database, session.schema], ['SYSADMIN', 'MOVIELENS', 'PUBLIC']);

      // Load speed is measured by `npm run bench:warehouse`, not asserted here: a loaded CI machine is no stopwatch.
      const [, , movies, ratings] = await engine.execute(session, LOAD);
      assert.deepEqual(movies.rows[0].slice(1, 6), ['LOADED', facts.movies, facts.movies, 1, 0]);
      assert.deepEqual(ratings.rows[0].slice(1, 6), ['LOADED', facts.ratings, facts.ratings, 1, 0]);
      assert.equal(facts.movies, 9742);
      assert.equal(facts.ratings, 100836);

      const [described] = await engine.execute(session, 'describe table ratings');
      assert.deepEqual(
        described.rows.map((r) => [r[0], r[1]]),
        [
          ['USERID', 'NUMBER(38,0)'],
          ['MOVIEID', 'NUMBER(38,0)'],
          ['RATING', 'FLOAT'],
          ['TIMESTAMP', 'TIMESTAMP_NTZ(9)'],
        ],
      );

      const [, top10, localTest, localOut] = await engine.execute(session, TEST_TABLES);
      assert.deepEqual(
        top10.columns.map((c) => `${c.name} ${c.type}`),
        ['USERID NUMBER', 'MOVIEID NUMBER', 'RATING FLOAT', 'TIMESTAMP TIMESTAMP_NTZ'],
      );
      assert.equal(top10.rowCount, 10);
      const [user, movie, rating, epoch] = facts.first.map(Number);
      assert.deepEqual(top10.rows[0], [user, movie, rating, new Date(epoch * 1000).toISOString().replace(/\.000Z$/, '')]);
      assert.equal(localTest.message, 'Table RATINGS_TRAIN_DATA_LOCAL_TEST successfully created.');
      assert.equal(localOut.message, 'Table USER_MOVIE_RECOMMENDATIONS_LOCAL_TEST successfully created.');
      await engine.execute(session, TRAINING_TABLES);

      const [counts] = await engine.execute(
        session,
        `select (select count(*) from movies), (select count(*) from ratings), (select sum(rating) from ratings),
                (select count(*) from ratings_train_data_local_test), (select count(*) from ratings_train_data),
                (select count(*) from user_movie_recommendations_local_test)`,
      );
      assert.deepEqual(counts.rows, [[9742, 100836, facts.ratingSum, 1000, 10000, 0]]);
      const [outShape] = await engine.execute(session, 'describe table user_movie_recommendations');
      assert.deepEqual(
        outShape.rows.map((r) => [r[0], r[1]]),
        [
          ['USERID', 'FLOAT'],
          ['RECOMMENDATIONS', 'VARIANT'],
        ],
      );

      const [, inserted] = await engine.execute(session, NO_RATINGS);
      assert.deepEqual(inserted.rows, [[5]]);
      const [joined] = await engine.execute(session, JOIN);
      assert.deepEqual(
        joined.columns.map((c) => `${c.name} ${c.type}`),
        ['USERID FLOAT', 'MOVIEID FLOAT', 'TITLE VARCHAR'],
      );
      const pairs: [number, number][] = [
        [1, 610],
        [10, 313],
        [10, 297],
        [5, 18],
        [5, 19],
      ];
      const expected = pairs.filter(([, m]) => facts.titles.has(m)).map(([u, m]) => [u, m, facts.titles.get(m)]);
      const sortRows = (rows: unknown[][]): unknown[][] =>
        [...rows].sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1]));
      assert.deepEqual(sortRows(joined.rows), sortRows(expected));

      const [commaTitle] = await engine.execute(session, 'select title from movies where movieid = 11');
      assert.deepEqual(commaTitle.rows, [[facts.titles.get(11)]]);
    }));
});
