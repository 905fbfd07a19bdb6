/**
 * SQL that creates `<database>.PUBLIC.<table>` (USERID, MOVIEID, RATING) with every user rating
 * every third movie, ratings 0.5–5 from a fixed formula: `users × movies / 3` rows, the same every
 * time. Runs through recpipe's SQL layer (engine.execute, `recpipe sql -q`).
 */
export function syntheticRatingsSql(database: string, table: string, users = 20, movies = 30): string {
  return (
    `create database if not exists ${database}; use schema ${database}.public; ` +
    `create table ${table} (userid int, movieid int, rating float); ` +
    `insert into ${table} select u, i, ((u * 7 + i * 13) % 10) / 2.0 + 0.5 from range(1, ${users + 1}) a(u), range(1, ${movies + 1}) b(i) where (u + i) % 3 = 0`
  );
}
