/**
 * invoke_model from SQL: 1M rows through DuckDB's vectors into the endpoint and back, and the
 * guide's no_ratings query, beside issue 5's goals (≤ 1 s and ≤ 10 ms).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifact } from '../src/artifacts/index.js';
import { buildTrainset, createRng, svd } from '../src/core/index.js';
import { syntheticMovieLens } from '../src/datasets/synthetic.js';
import { Engine } from '../src/engine/index.js';
import { loadKernels } from '../src/kernels/index.js';
import { INVOKE_SQL, NO_RATINGS_SQL } from '../src/quickstart/guide.js';
import { hasSharedData, mlSmall } from '../tests/support/shared-data.js';
import { median, printGoalTable } from './support/stats.js';
import { ratingsFromText } from '../tests/support/ratings-text.js';

const ROWS = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-invoke-'));
try {
  const csv = hasSharedData ? readFileSync(mlSmall('ratings.csv'), 'utf8') : syntheticMovieLens(610, 9_000, 165).ratingsCsv;
  const { trainset } = buildTrainset(ratingsFromText(csv, { source: 'ratings' }).dataset);
  const model = svd.fit(trainset, svd.defaults, { rng: createRng(0), kernels: loadKernels() });
  const artifact = await writeArtifact(join(dir, 'model'), model, {
    hyperparameters: svd.defaults,
    trainingData: { source: 'bench', trainset },
    createdAt: new Date().toISOString(),
  });
  const engine = await Engine.open({ home: join(dir, 'home') });
  try {
    const s = engine.createSession();
    await engine.execute(
      s,
      `create database MOVIELENS; use schema movielens.public; create table movies (movieid int, title varchar, genres varchar);
      insert into movies values (610, 'Heavy Metal (1981)', 'Animation'), (313, 'Swan Princess, The (1994)', 'Animation'), (18, 'Four Rooms (1995)', 'Comedy'), (19, 'Ace Ventura: When Nature Calls (1995)', 'Comedy')`,
    );
    for (const sql of NO_RATINGS_SQL) await engine.execute(s, sql);
    await engine.execute(s, `select deploy_model('movielens-model-v1', '${artifact.uri}')`);
    await engine.endpoints.waitFor('movielens-model-v1', 'InService', 30_000);
    const nu = model.userIds.length;
    const ni = model.itemIds.length;
    await engine.execute(
      s,
      `create table pairs as select (range % ${nu} + 1)::DOUBLE as USERID, ((range * 7919) % ${ni} + 1)::DOUBLE as MOVIEID from range(${ROWS})`,
    );
    const timed = async (sql: string, runs: number) => {
      const t: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        await engine.execute(s, sql);
        t.push(performance.now() - t0);
      }
      return median(t);
    };
    const bulk = await timed(`select sum(invoke_model('movielens-model-v1', USERID, MOVIEID)) from pairs`, 5);
    const base = await timed(`select sum(USERID + MOVIEID) from pairs`, 5);
    const guide = await timed(INVOKE_SQL, 50);
    console.log(
      `\ninvoke_model from SQL: SVD (100 factors) on ${hasSharedData ? 'ml-latest-small' : 'a synthetic sample'}, FLOAT ids as in the guide's no_ratings; medians\n`,
    );
    printGoalTable([
      [`invoke_model over ${ROWS.toLocaleString('en-US')} rows (ms)`, bulk.toFixed(0), '≤ 1,000'],
      ['  the same scan without invoke_model (ms)', base.toFixed(0), ''],
      ["the guide's no_ratings × movies query (ms)", guide.toFixed(2), '≤ 10'],
    ]);
  } finally {
    await engine.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
