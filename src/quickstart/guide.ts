/** The guide's SQL, as written there, with the two file loads its UI does through a file format (re-runs load again: the tables are replaced). */
export function labOneSql(dataDir: string): string[] {
  const file = (name: string) => `'file://${dataDir.replace(/'/g, "''")}/${name}'`;
  return [
    'use role sysadmin',
    'create database if not exists MOVIELENS',
    'use schema movielens.public',
    'create or replace table movies (movieid int, title varchar, genres varchar)',
    'create or replace table ratings (userid int, movieid int, rating float, timestamp timestamp_ntz)',
    `create or replace file format MOVIELENS type = csv skip_header = 1 field_optionally_enclosed_by = '"'`,
    `copy into movies from ${file('movies.csv')} file_format = (format_name = MOVIELENS)`,
    `copy into ratings from ${file('ratings.csv')} file_format = (format_name = MOVIELENS)`,
    'use warehouse COMPUTE_WH',
    'select * from ratings limit 10',
    'create or replace table ratings_train_data as (select USERID, MOVIEID, RATING from ratings)',
    'create or replace table user_movie_recommendations (USERID float, TOP_10_RECOMMENDATIONS variant)',
  ];
}

export const TRAIN_SQL = "select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings_train_data','MOVIELENS.PUBLIC.user_movie_recommendations') as training_job";

export const NO_RATINGS_SQL = [
  'create or replace table no_ratings (USERID float, MOVIEID float)',
  "insert into no_ratings (USERID, MOVIEID) values ('1', '610'), ('10', '313'), ('10', '297'), ('5', '18'), ('5', '19')",
];

export const INVOKE_SQL =
  "select nr.USERID, nr.MOVIEID, m.title, invoke_model('movielens-model-v1', nr.USERID, nr.MOVIEID) as rating_prediction from no_ratings nr, movies m where nr.movieid = m.movieid";
