import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { mlSmall, sharedDataSkip } from '../support/shared-data.js';
import { tempDir } from '../support/temp-engine.js';

const tmp = tempDir();
after(() => tmp.remove());

/**
 * In-process plays (a child would add ~3 CPU-s of start-up; the CLI's process behaviour is tested in
 * sql-cli and control-cli). MovieLens's figures are checked on one play of ml-latest-small; the re-run
 * on the same home plays the generated sample twice: what a re-run must keep (loads, jobs) does not
 * depend on which ratings it reads, and the sample costs a fraction of MovieLens.
 */
describe('recpipe quickstart', () => {
  it('plays the guide on ml-latest-small', { skip: sharedDataSkip, timeout: 600_000 }, async () => {
    const home = join(tmp.dir, 'home');
    const data = join(mlSmall('ratings.csv'), '..');
    const first = await recpipeInProcess(['quickstart', '--home', home, '--data', data]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Evaluating RMSE, MAE of algorithm SVD on 5 split\(s\)\./);
    assert.match(first.stdout, /rows_loaded[\s\S]*100836/);
    assert.match(first.stdout, /user 429: Raiders of the Lost Ark/);
    // The guide's invoke_model query: four of the five no_ratings pairs have a movie in MOVIES.
    assert.match(first.stdout, /\|\s+1 \|\s+610 \| Heavy Metal \(1981\)\s+\|\s+4\.\d+ \|/);
    assert.match(
      first.stdout,
      // Table output wraps long cells, so "not deployed" may break after "not".
      /RETRAIN\s*\|\s*SUCCEEDED\s*\|\s*training job train-\S+ Completed; movielens-model-v1: (deployed|not\b)/,
    );
    // The automation: new ratings arrive on the stream, the task consumes them and judges the retrained model.
    assert.match(first.stdout, /new_ratings \|\n\|-+\|\n\| true/i);
    assert.match(first.stdout, /\| if_better +\| (true|false) +\| (challenger better|current model kept)/);
    assert.match(first.stdout, /execute task retrain;[\s\S]*new_ratings \|\n\|-+\|\n\| false/i);
    // The first model never saw the newest 20% of the ratings (the hold-out and those that arrive later).
    assert.match(first.stdout, /Done in [\d.]+ s: job train-\d{8}-\d{6}-[0-9a-f]{4} \(mean RMSE 0\.88\d\d\), 522 users' top 10/);
  });

  it('falls back to a generated sample when MovieLens cannot be downloaded, says so, and plays again on the same home', {
    timeout: 600_000,
  }, async () => {
    const home = join(tmp.dir, 'offline');
    const offline = ['quickstart', '--home', home, '--download-url', 'http://127.0.0.1:9/ml-latest-small.zip'];
    const r = await recpipeInProcess(offline);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /could not download MovieLens \(.+\); using a generated sample in MovieLens format/);
    assert.ok(existsSync(join(home, 'datasets', 'synthetic-sample', 'ratings.csv')));
    assert.match(r.stdout, /endpoint movielens-model-v1 InService/);
    assert.match(r.stdout, /Done in [\d.]+ s: job train-\S+ \(mean RMSE \d\.\d+\), \d+ users' top 10/);
    const again = await recpipeInProcess(offline);
    assert.equal(again.code, 0, again.stderr);
    // The re-run loads the files again (a replaced table has no load history) and gives the same top-10 count.
    assert.match(again.stdout, /rows_loaded[\s\S]*\| *\d+ \|/);
    assert.equal(/\d+ users' top 10/.exec(again.stdout)?.[0], /\d+ users' top 10/.exec(r.stdout)?.[0]);
    const jobs = await recpipeInProcess(['jobs', 'list', '--home', home]);
    // Each run: the guide's job and the automation task's retrain.
    assert.equal((jobs.stdout.match(/^train-\S+ +Completed/gm) ?? []).length, 4, jobs.stdout);
  });
});
