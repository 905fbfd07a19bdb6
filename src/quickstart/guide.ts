/** Where a rating falls in time, 0 (oldest) to 1 (newest). */
const SLICE = 'percent_rank() over (order by timestamp)';

/** The guide's SQL, as written there (but for the hold-out split), with the two file loads its UI does through a file format (re-runs load again: the tables are replaced). */
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
    // Fair judging later: the newest 10% of ratings are held out from every model, and the 10% before
    // them are kept back to arrive as new ratings in the automation step; the first model trains on the rest.
    `create or replace table holdout as select userid, movieid, rating from ratings qualify ${SLICE} >= 0.9`,
    `create or replace table ratings_train_data as (select USERID, MOVIEID, RATING from ratings qualify ${SLICE} < 0.8)`,
    'create or replace table user_movie_recommendations (USERID float, TOP_10_RECOMMENDATIONS variant)',
  ];
}

export const TRAIN_SQL =
  "select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings_train_data','MOVIELENS.PUBLIC.user_movie_recommendations') as training_job";

export const NO_RATINGS_SQL = [
  'create or replace table no_ratings (USERID float, MOVIEID float)',
  "insert into no_ratings (USERID, MOVIEID) values ('1', '610'), ('10', '313'), ('10', '297'), ('5', '18'), ('5', '19')",
];

export const INVOKE_SQL =
  "select nr.USERID, nr.MOVIEID, m.title, invoke_model('movielens-model-v1', nr.USERID, nr.MOVIEID) as rating_prediction from no_ratings nr, movies m where nr.movieid = m.movieid";

/**
 * The guide's last step, automation: a stream on RATINGS and a task that, when the stream has data,
 * adds the new ratings to the training table (consuming the stream) and retrains, deploying to
 * movielens-model-v1 only a model better on the held-out ratings. The ratings kept back in Lab 1
 * then arrive. The quickstart runs the task once with EXECUTE TASK (the WHEN is checked as on a
 * schedule) and leaves it suspended: tasks run while a process owns the home.
 */
export const AUTOMATION_SQL = [
  `create or replace table arriving as select * from ratings qualify ${SLICE} >= 0.8 and ${SLICE} < 0.9`,
  'delete from ratings where exists (select 1 from arriving a where a.userid = ratings.userid and a.movieid = ratings.movieid)',
  'create or replace stream ratings_stream on table ratings',
  `create or replace task retrain warehouse = COMPUTE_WH schedule = '1 MINUTE' when system$stream_has_data('RATINGS_STREAM') as begin
  insert into ratings_train_data select userid, movieid, rating from ratings_stream where metadata$action = 'INSERT';
  select train_and_get_recommendations('ratings_train_data', 'user_movie_recommendations',
    parse_json('{"wait": true, "folds": 0, "deploy_to": "movielens-model-v1", "deploy_policy": "if_better", "holdout_table": "holdout"}')) as job;
end`,
  'insert into ratings select * from arriving',
  "select system$stream_has_data('RATINGS_STREAM') as new_ratings",
  'execute task retrain',
];

export const AFTER_AUTOMATION_SQL = ["select system$stream_has_data('RATINGS_STREAM') as new_ratings", 'show endpoint versions'];

export const TASK_HISTORY_SQL =
  "select name, state, return_value, error_message from table(information_schema.task_history(task_name => 'RETRAIN')) where state <> 'SCHEDULED'";
