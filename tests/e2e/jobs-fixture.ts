import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobManager, type JobManagerOptions } from '../../src/jobs/index.js';
import { openDuckDbWarehouse, type TableName, type Warehouse } from '../../src/warehouse/index.js';
import { mlSmall } from '../support/shared-data.js';

/** The guide's database and schema. */
export const table = (name: string): TableName => ({ database: 'MOVIELENS', schema: 'PUBLIC', name });

export const databaseFile = (home: string): string => join(home, 'databases', 'MOVIELENS.duckdb');

export interface JobsFixture {
  readonly home: string;
  readonly warehouse: Warehouse;
  /** Opens a job manager on the fixture's home (closed by `cleanup`). */
  manager(options?: Partial<JobManagerOptions>): Promise<JobManager>;
  cleanup(): Promise<void>;
}

/** A temp home with MOVIELENS.PUBLIC attached from its own DuckDB file; `home` reuses an existing one. */
export async function openFixture(home = mkdtempSync(join(tmpdir(), 'recpipe-'))): Promise<JobsFixture> {
  mkdirSync(join(home, 'databases'), { recursive: true });
  const warehouse = await openDuckDbWarehouse();
  await warehouse.attachDatabase('MOVIELENS', databaseFile(home));
  await warehouse.run('CREATE SCHEMA IF NOT EXISTS MOVIELENS.PUBLIC');
  const managers: JobManager[] = [];
  return {
    home,
    warehouse,
    async manager(options = {}) {
      const m = await JobManager.open({ home, warehouse, ...options });
      managers.push(m);
      return m;
    },
    async cleanup() {
      for (const m of managers) await m.close();
      await warehouse.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Closes managers and the warehouse but keeps the home (to reopen it, as a restarted service would). */
export async function closeKeepingHome(fx: JobsFixture, ...managers: JobManager[]): Promise<void> {
  for (const m of managers) await m.close();
  await fx.warehouse.close();
}

/** ml-latest-small's ratings.csv as MOVIELENS.PUBLIC.<name> (USERID, MOVIEID, RATING, TIMESTAMP), in file order. */
export async function loadMovieLensRatings(warehouse: Warehouse, name = 'RATINGS'): Promise<void> {
  await warehouse.run(
    `CREATE TABLE MOVIELENS.PUBLIC.${name} AS
       SELECT userId AS USERID, movieId AS MOVIEID, rating AS RATING, timestamp AS "TIMESTAMP"
       FROM read_csv(?, header = true, columns = {'userId': 'BIGINT', 'movieId': 'BIGINT', 'rating': 'DOUBLE', 'timestamp': 'BIGINT'})`,
    [mlSmall('ratings.csv')],
  );
}

/**
 * A small deterministic ratings table made in SQL: `users` users each rating every third of `items`
 * movies, ratings 0.5–5. `idType` sets the id columns' type.
 */
export async function createSyntheticRatings(
  warehouse: Warehouse,
  name: string,
  users = 120,
  items = 90,
  idType = 'BIGINT',
): Promise<number> {
  await warehouse.run(
    `CREATE TABLE MOVIELENS.PUBLIC.${name} AS
       SELECT CAST(u AS ${idType}) AS USERID, CAST(i AS ${idType}) AS MOVIEID, CAST(((u * 7 + i * 13) % 10) / 2.0 + 0.5 AS DOUBLE) AS RATING
       FROM range(1, ? + 1) AS us(u), range(1, ? + 1) AS it(i)
       WHERE (u + i) % 3 = 0
       ORDER BY u, i`,
    [users, items],
  );
  const r = await warehouse.run(`SELECT count(*) FROM MOVIELENS.PUBLIC.${name}`);
  return Number(r.rows[0][0]);
}

/** Every row of a table, ordered by its first column, as JSON-safe values. */
export async function rowsOf(warehouse: Warehouse, name: string): Promise<unknown[][]> {
  return (await warehouse.run(`SELECT * FROM MOVIELENS.PUBLIC.${name} ORDER BY 1`)).rows;
}

/** Resolves once `predicate` holds for the job, polling its state. */
export async function until(
  manager: JobManager,
  name: string,
  predicate: (job: ReturnType<JobManager['get']>) => boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(manager.get(name))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting on job ${name} (now ${manager.get(name).secondaryStatus})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
