/**
 * The console's goals (issue 15), in headless Chromium against a real `recpipe server`, ≥ 3 repetitions:
 *  - first page load: compressed JS bytes (as they crossed the wire) ≤ 300 KB, interactive (the
 *    worksheet ready, `console-ready`) ≤ 1 s — each repetition a new browser context (cold cache)
 *    carrying a session cookie, so the figure is the console's own load, not the sign-in form's;
 *  - a 100,000-row result scrolled at 60 fps: fling and back-scroll frame statistics (dropped frames,
 *    p95, p99) on the grid beside a blank control element scrolled the same way (the frame clock of
 *    headless Chromium on this machine).
 * Prints the load average and the CPU seconds of this process and of its children (server, browser).
 * Run: npm run bench:console   (RECPIPE_BENCH_ROUNDS: repetitions, default 3; RECPIPE_CHROMIUM: the browser)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { authHeaders } from '../tests/support/auth.js';
import { browserMissing, launchBrowser, signedInPage } from '../tests/support/browser.js';
import { httpCall } from '../tests/support/http-call.js';
import { startServerChild } from '../tests/support/recpipe-cli.js';
import {
  describeDraws,
  describeRun,
  dropped,
  loadFigures,
  measureScrolling,
  quantile,
  type ScrollFigures,
} from '../tests/support/scroll-frames.js';
import { tempDir } from '../tests/support/temp-engine.js';

const missing = browserMissing();
if (missing) {
  console.log(`bench:console skipped: ${missing}`);
  process.exit(0);
}
const ROUNDS = Math.max(3, Number(process.env.RECPIPE_BENCH_ROUNDS ?? 3));
const GOAL_JS_KB = 300;
const GOAL_READY_MS = 1000;
const FRAME_MS = 1000 / 60;
const USER = 'bench';
const PASSWORD = 'bench-pw-1';
const SQL = "select range as i, 'row ' || range as s, object_construct('i', range) as v from range(100000) order by i";

const load0 = loadavg();
const cpu0 = process.cpuUsage();
const tmp = tempDir();
const home = join(tmp.dir, 'home');
const server = await startServerChild(home);
const browser = await launchBrowser().catch(async (e) => {
  await server.stop();
  throw e;
});
/** utime + stime of a live process from /proc (Linux), seconds; NaN elsewhere. */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
let serverCpu = Number.NaN;
const loads: { js: number; interactive: number; ready: number }[] = [];
const scrolls: ScrollFigures[] = [];
try {
  const setup = await httpCall(server.url, 'POST', '/api/v1/statements', authHeaders(home), {
    sql: `use role accountadmin; create user ${USER} password = '${PASSWORD}' default_role = sysadmin; grant role sysadmin to user ${USER}`,
  });
  if (setup.status !== 200) throw new Error(`setup failed: ${setup.text}`);
  const errors: string[] = [];
  const signIn = await signedInPage(browser, server.url, USER, PASSWORD, errors);
  const cookies = await signIn.context().cookies();
  await signIn.context().close();
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      await context.addCookies(cookies);
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      page.setDefaultTimeout(60_000);
      await page.goto(`${server.url}/`);
      await page.waitForSelector(`body[data-ready="${USER.toUpperCase()}"]`);
      loads.push(await loadFigures(page));
      await page.focus('.cm-content');
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(SQL);
      await page.keyboard.press('Control+Shift+Enter');
      await page.waitForSelector('#status:text("100,000 rows")');
      scrolls.push(await measureScrolling(page));
    } finally {
      await context.close();
    }
  }
  if (errors.length > 0) console.log(`page errors: ${errors.join(' | ')}`);
} finally {
  serverCpu = processCpuSeconds(server.child.pid);
  await browser.close();
  await server.stop();
  tmp.remove();
}

const cpu = process.cpuUsage(cpu0);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => quantile(sorted(xs), 0.5);
const ok = (pass: boolean) => (pass ? '✔' : '✘');
console.log(
  `# bench:console — headless Chromium (no GPU) against recpipe server on loopback, ${ROUNDS} repetitions, load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  '| repetition | first-load JS (compressed) | DOM interactive | console interactive | fling: grid dropped / p95 / p99 | control | back-scroll: grid dropped / p95 / p99 | control | grid redraw p95 |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
const frames = (r: ScrollFigures[keyof Omit<ScrollFigures, 'draws'>]) =>
  `${dropped(r)}/${r.frames.length} / ${quantile(r.frames, 0.95).toFixed(1)} / ${quantile(r.frames, 0.99).toFixed(1)} ms`;
for (const [i, l] of loads.entries()) {
  const s = scrolls[i];
  console.log(
    `| ${i + 1} | ${(l.js / 1024).toFixed(1)} KB | ${l.interactive.toFixed(0)} ms | ${l.ready.toFixed(0)} ms | ${frames(s.gridFling)} | ${frames(s.controlFling)} | ${frames(s.gridBack)} | ${frames(s.controlBack)} | ${quantile(s.draws, 0.95).toFixed(1)} ms |`,
  );
}
const js = Math.max(...loads.map((l) => l.js)) / 1024;
const ready = median(loads.map((l) => l.ready));
const pooled = (pick: (s: ScrollFigures) => number[]) => sorted(scrolls.flatMap(pick));
const drops = (pick: (s: ScrollFigures) => ScrollFigures['gridFling']) => scrolls.reduce((n, s) => n + dropped(pick(s)), 0);
const total = (pick: (s: ScrollFigures) => ScrollFigures['gridFling']) => scrolls.reduce((n, s) => n + pick(s).frames.length, 0);
console.log('');
console.log('| goal | measured | |');
console.log('|---|---|---|');
console.log(`| first page ≤ ${GOAL_JS_KB} KB compressed JS | ${js.toFixed(1)} KB (largest of ${ROUNDS}) | ${ok(js <= GOAL_JS_KB)} |`);
console.log(
  `| interactive ≤ ${GOAL_READY_MS} ms | ${ready.toFixed(0)} ms median (${loads.map((l) => l.ready.toFixed(0)).join(', ')}) | ${ok(ready <= GOAL_READY_MS)} |`,
);
for (const [what, grid, control] of [
  ['fling', (s: ScrollFigures) => s.gridFling, (s: ScrollFigures) => s.controlFling],
  ['back-scroll', (s: ScrollFigures) => s.gridBack, (s: ScrollFigures) => s.controlBack],
] as const) {
  const g = pooled((s) => grid(s).frames);
  const c = pooled((s) => control(s).frames);
  const p95 = quantile(g, 0.95);
  const p99 = quantile(g, 0.99);
  const pass = drops(grid) === 0 && p95 <= 2 * FRAME_MS;
  console.log(
    `| 100k rows, ${what} at 60 fps (no dropped frame, p95 within a frame) | grid: ${drops(grid)}/${total(grid)} dropped, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; control: ${drops(control)}/${total(control)} dropped, p95 ${quantile(c, 0.95).toFixed(1)} ms, p99 ${quantile(c, 0.99).toFixed(1)} ms | ${ok(pass)} |`,
  );
}
console.log(
  `| the grid's own work per frame | ${describeDraws(pooled((s) => s.draws))} | ${ok(
    quantile(
      pooled((s) => s.draws),
      0.95,
    ) < FRAME_MS,
  )} |`,
);
console.log('');
for (const [i, s] of scrolls.entries())
  console.log(`repetition ${i + 1}: fling grid ${describeRun(s.gridFling)}; back grid ${describeRun(s.gridBack)}`);
console.log(
  `CPU: this process ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, the server ${serverCpu.toFixed(2)} s (the browser's: run under GNU time, which counts the reaped children)`,
);
