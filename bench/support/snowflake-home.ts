import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.js';
import { startServerChild, type ServerChild } from '../../tests/support/recpipe-cli.js';

export const BENCH_USER = 'bench';
export const BENCH_PASSWORD = 'bench password 1';
export const RATINGS_ROWS = 100_836;

/**
 * A home with a password user (SYSADMIN) and MOVIELENS.PUBLIC.RATINGS shaped like ml-latest-small
 * (100,836 generated rows), served by a `recpipe server` child process so the driver and the server
 * do not share an event loop.
 */
export async function withSnowflakeServer<T>(use: (server: ServerChild, home: string) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-sf-bench-'));
  try {
    const engine = await Engine.open({ home });
    try {
      await engine.execute(
        engine.createSession(),
        `use role accountadmin;
         create user ${BENCH_USER} password = '${BENCH_PASSWORD}' default_role = sysadmin;
         grant role sysadmin to user ${BENCH_USER};
         use role sysadmin;
         create database movielens;
         create table movielens.public.ratings as
           select range % 610 + 1 as userid, (range * 7919) % 9742 + 1 as movieid, ((range % 10) + 1) / 2.0 as rating,
                  dateadd(second, range, '2000-01-01'::timestamp_ntz) as timestamp
           from range(${RATINGS_ROWS})`,
      );
    } finally {
      await engine.close();
    }
    const server = await startServerChild(home);
    try {
      return await use(server, home);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
