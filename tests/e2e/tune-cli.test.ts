import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readArtifact } from '../../src/artifacts/index.js';
import { syntheticMovieLens } from '../../src/datasets/synthetic.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { recpipe } from '../support/recpipe-cli.js';
import { tempDir } from '../support/temp-engine.js';

interface TrialJson {
  number: number;
  algorithm: string;
  params: Record<string, unknown>;
  status: string;
  rmse: number;
  mae: number;
  folds: { rmse: number }[];
}

/**
 * `recpipe tune`: a TPE search as a real child process, then Surprise's GridSearchCV and the
 * refusals in the test process, on a small MovieLens-shaped file.
 */
describe('recpipe tune', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const ratings = join(tmp.dir, 'ratings.csv');
  writeFileSync(ratings, syntheticMovieLens(60, 200, 25, 4).ratingsCsv);
  const space = JSON.stringify({
    space: {
      svd: { n_factors: { int: [2, 8] }, n_epochs: { int: [2, 10] }, lr_all: { loguniform: [0.002, 0.05] } },
      baseline: { reg_u: { uniform: [1, 20] } },
    },
  });

  it('searches algorithms within its trial limit, reports every trial and saves the best refitted as an artifact', async () => {
    const json = join(tmp.dir, 'tpe.json');
    const model = join(tmp.dir, 'model');
    const r = await recpipe(
      [
        'tune',
        '--ratings',
        ratings,
        '--cv',
        '3',
        '--time-budget',
        '120',
        '--max-trials',
        '10',
        '--algos',
        'svd,baseline',
        '--search',
        space,
        '--json',
        json,
        '--model',
        model,
        '--workers',
        '2',
      ],
      { timeoutMs: 180_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /Searching svd, baseline \(TPE, time budget 120 s, at most 10 trials\) on [\d,]+ ratings, 3 folds, by mean RMSE, 2 worker threads/,
    );
    assert.equal(
      (
        r.stderr.match(
          /^trial +\d+ (svd|baseline) +(RMSE \d\.\d{4} MAE \d\.\d{4}|pruned after fold 1: RMSE \d\.\d{4} vs the best's \d\.\d{4})/gm,
        ) ?? []
      ).length,
      10,
      r.stderr,
    );
    // Ten trials, then the blend stacked from their held-out predictions.
    assert.match(r.stderr, /^trial +11 blend +RMSE \d\.\d{4} MAE \d\.\d{4}/m);
    assert.match(r.stdout, /Best of 11 trials in [\d.]+ s \(max trials\): (svd|baseline|blend) \{/);
    const out = JSON.parse(readFileSync(json, 'utf8')) as {
      best: TrialJson & { trial: number };
      trials: TrialJson[];
      method: string;
      folds: number;
    };
    assert.equal(out.method, 'tpe');
    assert.equal(out.trials.length, 11);
    assert.deepEqual(new Set(out.trials.map((t) => t.algorithm)), new Set(['svd', 'baseline', 'blend']));
    const blend = out.trials[10];
    assert.ok(
      blend.rmse <
        Math.min(
          ...out.trials
            .slice(0, 10)
            .filter((t) => t.status === 'ok')
            .map((t) => t.rmse),
        ),
    );
    assert.ok((blend.params.components as unknown[]).length >= 2);
    const ok = out.trials.filter((t) => t.status === 'ok');
    const best = ok.reduce((a, b) => (b.rmse < a.rmse ? b : a));
    // The ranked table: one row per trial, complete ones by RMSE first, each row naming its trial.
    const table = r.stdout.slice(r.stdout.indexOf('Trials ranked by mean RMSE:')).split('\n').slice(1, 13);
    assert.match(table[0], /^rank +trial +algorithm +RMSE +MAE +RMSE std +folds +seconds +status +parameters$/);
    const rows = table.slice(1).map((l) => l.trim().split(/ +/));
    assert.deepEqual(
      rows.map((c) => Number(c[1])),
      [...out.trials]
        .sort((a, b) => (a.status === b.status ? a.rmse - b.rmse : a.status === 'ok' ? -1 : 1) || a.number - b.number)
        .map((t) => t.number),
    );
    assert.equal(Number(rows[0][1]), out.best.trial);
    for (const t of out.trials.filter((x) => x.status === 'pruned')) assert.equal(t.folds.length, 1);
    assert.deepEqual(
      { algorithm: out.best.algorithm, params: out.best.params, rmse: out.best.rmse, mae: out.best.mae },
      { algorithm: best.algorithm, params: best.params, rmse: best.rmse, mae: best.mae },
    );
    for (const t of ok) {
      assert.equal(t.folds.length, 3);
      assert.ok(Math.abs(t.folds.reduce((a, f) => a + f.rmse, 0) / 3 - t.rmse) < 1e-12);
    }
    const { manifest } = await readArtifact(model);
    assert.equal(manifest.algorithm, out.best.algorithm);
    assert.equal(manifest.family, out.best.algorithm === 'blend' ? 'blend' : 'factor');
    const expected = out.best.algorithm === 'svd' ? (out.best.params.n_factors as number) : 0;
    assert.equal(manifest.nFactors, expected);
  });

  it("runs Surprise's GridSearchCV on the same folds whatever the worker count, with its cv_results", async () => {
    const grid = JSON.stringify({
      param_grid: { n_factors: [3], n_epochs: [5, 10], lr_all: [0.002, 0.01] },
      measures: ['rmse', 'mae'],
      refit: 'mae',
    });
    const run = async (workers: string) => {
      const json = join(tmp.dir, `grid-${workers}.json`);
      const r = await recpipeInProcess(['tune', '--ratings', ratings, '--cv', '3', '--search', grid, '--json', json, '--workers', workers]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(readFileSync(json, 'utf8'));
    };
    const [one, two] = [await run('1'), await run('2')];
    assert.equal(one.method, 'grid');
    assert.equal(one.measure, 'mae');
    assert.deepEqual(one.surprise.cvResults.params, [
      { n_factors: 3, n_epochs: 5, lr_all: 0.002 },
      { n_factors: 3, n_epochs: 5, lr_all: 0.01 },
      { n_factors: 3, n_epochs: 10, lr_all: 0.002 },
      { n_factors: 3, n_epochs: 10, lr_all: 0.01 },
    ]);
    assert.deepEqual(one.surprise.cvResults.mean_test_mae, two.surprise.cvResults.mean_test_mae);
    const maes = one.surprise.cvResults.mean_test_mae as number[];
    assert.equal(one.best.mae, Math.min(...maes));
    assert.deepEqual(one.best.params, one.surprise.bestParams.mae);
  });

  it("reads MovieLens-100K's u.data format (tab-separated, no header, a timestamp) and searches timeSVD on its times", async () => {
    // u.data's lines end in LF (DuckDB 1.5's reader refuses a large tab-separated file with CRLF ends).
    const lines = readFileSync(ratings, 'utf8').trim().split(/\r?\n/).slice(1);
    const udata = join(tmp.dir, 'u.data');
    writeFileSync(udata, `${lines.map((l) => l.replaceAll(',', '\t')).join('\n')}\n`);
    const json = join(tmp.dir, 'udata.json');
    const args = ['tune', '--ratings', udata, '--cv', '2', '--algos', 'timesvd', '--max-trials', '2', '--json', json, '--workers', '1'];
    const r = await recpipeInProcess(args);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(readFileSync(json, 'utf8')) as { trials: TrialJson[]; data: { ratings: number } };
    assert.equal(out.data.ratings, lines.length);
    // Two timeSVD trials, then their blend when the second adds to the first.
    const searched = out.trials.filter((t) => t.algorithm !== 'blend');
    assert.equal(searched.length, 2);
    assert.ok(searched.every((t) => t.algorithm === 'timesvd' && t.status !== 'failed'));
    assert.ok(out.trials.length <= 3);
    // The same file without its timestamps: timeSVD is refused by name, and bad lines are named by file, line and column.
    const untimed = join(tmp.dir, 'u3.data');
    writeFileSync(untimed, `${lines.map((l) => l.split(',').slice(0, 3).join('\t')).join('\n')}\n`);
    const refused = await recpipeInProcess(['tune', '--ratings', untimed, '--algos', 'timesvd', '--max-trials', '1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /search algorithm timesvd needs the ratings' timestamps, and these ratings have none/);
    const bad = join(tmp.dir, 'bad.data');
    writeFileSync(bad, '1\t2\t3\t881250949\n1\t3\tfive\t881250950\n');
    const named = await recpipeInProcess(['tune', '--ratings', bad, '--max-trials', '1']);
    assert.notEqual(named.code, 0);
    assert.match(named.stderr, /bad\.data: 1 bad row: line 2, column 3 \(rating\): "five" is not a number/);
  });

  it('refuses a bad search with a message naming the field', async () => {
    const cases: [string[], RegExp][] = [
      [['--search', '{"param_grid": {"n_factors": [0]}}'], /n_factors of svd must be ≥ 1, got 0/],
      [['--search', '{"method": "annealing"}'], /search method must be tpe, grid or random, got 'annealing'/],
      [['--algos', 'svd,knnfoo'], /unknown algorithm 'knnfoo'/],
      [['--search', '{"param_grid": '], /--search is not valid JSON/],
      [['--search', '{"results_table": "t"}'], /unknown search field 'results_table'; known: method, algorithm/],
      [['--time-budget', 'soon'], /--time-budget must be a number of seconds, got 'soon'/],
    ];
    for (const [args, message] of cases) {
      const r = await recpipeInProcess(['tune', '--ratings', ratings, ...args]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
    }
  });
});
