/**
 * The test suite's own cost (issue 11, point 9: "the suite under 3 minutes on this machine while another
 * build runs"). Runs `npm test`'s test command (the build it depends on is done once before, by prebench),
 * alone and then beside another build: a loop of full type-checks of this project (`tsc --noEmit`, the
 * heaviest step of `npm run build`) kept running for as long as the suite runs. Prints each run's wall time,
 * the CPU seconds of the whole process tree (shards and every child they waited for, by GNU time) and the
 * load average, beside the 3-minute goal.
 * Run: npm run bench:suite [-- --beside-build-only | --alone-only]
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { printGoalTable } from './support/stats.js';
import { timedChild } from './support/timed-child.js';

const GOAL_S = 180;
const args = new Set(process.argv.slice(2));
const runs = [
  ...(args.has('--beside-build-only') ? [] : [{ name: 'alone', besideBuild: false }]),
  ...(args.has('--alone-only') ? [] : [{ name: 'beside a build loop', besideBuild: true }]),
];

/** Full type-checks of the project, one after another, until stopped; resolves with how many finished. */
function buildLoop(): { stop: () => Promise<number> } {
  let finished = 0;
  let stopped = false;
  let current: ReturnType<typeof spawn> | undefined;
  const done = (async () => {
    while (!stopped) {
      current = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => current!.once('exit', resolve));
      if (code === 0) finished += 1;
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      current?.kill('SIGTERM');
      await done;
      return finished;
    },
  };
}

const rows: [string, string, string][] = [];
for (const run of runs) {
  const load0 = loadavg()[0];
  const competitor = run.besideBuild ? buildLoop() : undefined;
  let builds = 0;
  try {
    // The README's test command without its pretest build (already done, and not the suite's cost).
    const suite = await timedChild('npm', ['test', '--ignore-scripts', '--silent']);
    builds = (await competitor?.stop()) ?? 0;
    const load1 = loadavg()[0];
    // timedChild rejects when the suite fails: a failed run's time is not a figure.
    rows.push([`suite ${run.name}: wall`, `${suite.wall.toFixed(0)} s`, `≤ ${GOAL_S} s`]);
    rows.push([`suite ${run.name}: CPU (tree)`, suite.processCpu === undefined ? 'n/a' : `${suite.processCpu.toFixed(0)} CPU-s`, '']);
    rows.push([`suite ${run.name}: load 1-min`, `${load0.toFixed(1)} → ${load1.toFixed(1)}`, '']);
    if (run.besideBuild) rows.push([`suite ${run.name}: type-checks done`, String(builds), '']);
  } finally {
    await competitor?.stop();
  }
}
console.log(`# bench:suite — npm test's command on this machine (${runs.map((r) => r.name).join(', then ')})`);
printGoalTable(rows, [18, 10]);
