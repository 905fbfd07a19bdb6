import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '../../src/warehouse/duckdb/duckdb-api.js';
import { stringLiteral } from '../../src/warehouse/index.js';

/** MovieLens-25M's own shape: 25,000,095 ratings, 162,541 users, 59,047 movies. */
const ML25M = { ratings: 25_000_095, users: 162_541, movies: 59_047 };

export interface ShapedFile {
  readonly path: string;
  readonly ratings: number;
}

/**
 * A ratings.csv shaped like MovieLens-25M at `ratings` rows (userId,movieId,rating,timestamp, sorted
 * by user then movie as GroupLens ships it): users in proportion, each rating log-normally many
 * movies (at least 20, as MovieLens keeps only such users), movies fewer than in proportion (√ of the
 * scale) and picked with a long-tail popularity (a few movies draw most ratings); ratings in half
 * stars from a user bias, a movie bias and one shared taste dimension, plus noise. Written by DuckDB
 * from hashes of the row and user numbers: the same file for the same size, written into `dir`.
 */
export async function movieLensShaped(dir: string, ratings: number): Promise<ShapedFile> {
  const path = join(dir, `ml25m-shaped-${ratings}.csv`);
  // Deterministic, so a file already made (a kept --data directory) is the same file.
  if (existsSync(path)) return { path, ratings };
  const scale = ratings / ML25M.ratings;
  const users = Math.ceil(ML25M.users * scale * 1.35);
  const movies = Math.round(ML25M.movies * Math.sqrt(scale));
  const unit = (expr: string) => `((hash(${expr}) % 1000000) + 0.5) / 1000000.0`;
  const select = `
    WITH users AS (
      SELECT u, greatest(20, round(exp(ln(93) + sqrt(-2 * ln(${unit('u')})) * cos(2 * pi() * ${unit('u + 7919')}))))::BIGINT AS n,
             ${unit('u + 104729')} - 0.5 AS taste, 1.2 * (${unit('u + 15485863')} - 0.5) AS bias
        FROM range(1, ${users + 1}) t(u)),
    picks AS (
      SELECT u, taste, bias, 1 + floor(${movies} * pow(${unit('u * 1000003 + k')}, 4))::BIGINT AS m
        FROM (SELECT u, taste, bias, unnest(range(n)) AS k FROM users)),
    rated AS (SELECT DISTINCT u, m, taste, bias FROM picks)
    SELECT u AS userId, m AS movieId,
           printf('%.1f', least(5.0, greatest(0.5, round(2 * (3.5 + bias + (${unit('m + 31')} - 0.5) * 2
             + 5 * taste * (${unit('m + 1299709')} - 0.5) + 1.6 * (${unit('u * 7 + m * 1000033')} - 0.5))) / 2))) AS rating,
           1000000000 + hash(u * 31 + m) % 500000000 AS timestamp
      FROM rated ORDER BY u, m LIMIT ${Math.trunc(ratings)}`;
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    // COPY … TO takes no bound parameters; the path is this benchmark's own file, renamed into place when complete.
    await conn.run(`COPY (${select}) TO ${stringLiteral(path + '.part')} (HEADER, DELIMITER ',')`);
    renameSync(path + '.part', path);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return { path, ratings };
}
