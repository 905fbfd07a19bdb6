import type { Page } from 'playwright-core';

/** One scroll driver run: each frame's interval (sorted), long tasks, and frames over 50 ms split into scripts and rendering. */
export type ScrollRun = { frames: number[]; longTasks: number[]; longFrames: { duration: number; scripts: number; rendering: number }[] };
export type ScrollFigures = Record<'gridFling' | 'gridBack' | 'gridJumps' | 'controlFling' | 'controlBack' | 'controlJumps', ScrollRun> & {
  /** The grid's own redraws (its `grid-draw` measures), ms, sorted. */
  draws: number[];
};

/** The q-quantile of sorted values. */
export const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** A dropped frame: one that took more than two 60 fps frame intervals. */
export const dropped = (r: ScrollRun): number => r.frames.filter((t) => t > 2 * 16.7).length;

const pcts = (xs: number[]) =>
  `p50 ${quantile(xs, 0.5).toFixed(1)} ms, p95 ${quantile(xs, 0.95).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms`;
const median = (xs: number[]) =>
  xs.length === 0
    ? 0
    : quantile(
        [...xs].sort((a, b) => a - b),
        0.5,
      );

/** A run in one line: frame percentiles, dropped frames, long tasks, and what the long frames spent their time on. */
export function describeRun(r: ScrollRun): string {
  const long =
    r.longFrames.length === 0
      ? ''
      : ` (median of ${r.longFrames.length} long frames: ${median(r.longFrames.map((l) => l.duration)).toFixed(0)} ms, scripts ${median(r.longFrames.map((l) => l.scripts)).toFixed(1)} ms, style/layout/paint ${median(r.longFrames.map((l) => l.rendering)).toFixed(1)} ms)`;
  return `${pcts(r.frames)}, ${dropped(r)}/${r.frames.length} dropped, ${r.longTasks.length} long tasks${long}`;
}

export const describeDraws = (draws: number[]): string => `${pcts(draws)} (${draws.length} redraws)`;

/**
 * Scrolls the worksheet's result grid (which must hold a long result) and measures each frame with the
 * Performance API. The same scroll driver runs on the grid and on a control: a blank element of the grid's
 * size and scroll height in its place (the grid hidden meanwhile), in alternating rounds, so both see the
 * same load. What the control shows is headless Chromium's frame clock on this machine; the grid's share
 * is the difference. `rounds` of each scroll (fling, back, jumps) of `frames` each: the benchmark's default
 * pools several against bursts of load; a test that only prints the figures takes one, and fewer frames.
 */
export async function measureScrolling(
  page: Page,
  rounds: { fling: number; back: number; jumps: number } = { fling: 3, back: 3, jumps: 2 },
  frames: { fling: number; back: number; jumps: number } = { fling: 60, back: 55, jumps: 30 },
): Promise<ScrollFigures> {
  return (await page.evaluate(`(async () => {
      const grid = document.querySelector('.grid');
      const box = grid.getBoundingClientRect();
      const control = document.createElement('div');
      control.style.cssText = 'position:fixed;overflow:auto;left:' + box.left + 'px;top:' + box.top + 'px;width:' + box.width + 'px;height:' + box.height + 'px';
      const tall = document.createElement('div');
      tall.style.height = grid.scrollHeight + 'px';
      control.append(tall);
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const run = async (target, frames, step) => {
        const longTasks = [];
        const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
        observer.observe({ type: 'longtask' });
        // Frames over 50 ms, split (Long Animation Frames API): scripts, and rendering from style and layout on (paint included).
        const longFrames = [];
        const frameObserver = new PerformanceObserver((list) => {
          for (const e of list.getEntries())
            longFrames.push({
              duration: e.duration,
              scripts: e.scripts.reduce((sum, x) => sum + x.duration, 0),
              rendering: e.styleAndLayoutStart > 0 ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
            });
        });
        frameObserver.observe({ type: 'long-animation-frame' });
        await frame();
        const times = [];
        let last = performance.now();
        for (let i = 0; i < frames; i++) {
          target.scrollTop += step(target);
          await frame();
          const now = performance.now();
          times.push(now - last);
          last = now;
        }
        await frame();
        observer.disconnect();
        frameObserver.disconnect();
        return { frames: times.sort((a, b) => a - b), longTasks, longFrames };
      };
      const onControl = async (frames, step) => {
        grid.style.visibility = 'hidden';
        document.body.append(control);
        control.scrollTop = grid.scrollTop;
        try { return await run(control, frames, step); } finally { control.remove(); grid.style.visibility = ''; }
      };
      // Rounds of control then grid, pooled: a burst of load lands on both rather than on one.
      const rounds = async (n, frames, step) => {
        const pooled = () => ({ frames: [], longTasks: [], longFrames: [] });
        const grids = pooled();
        const controls = pooled();
        const add = (to, r) => { for (const k of Object.keys(to)) to[k].push(...r[k]); };
        for (let i = 0; i < n; i++) {
          add(controls, await onControl(frames, step));
          add(grids, await run(grid, frames, step));
        }
        grids.frames.sort((a, b) => a - b);
        controls.frames.sort((a, b) => a - b);
        return [grids, controls];
      };
      performance.clearMeasures('grid-draw');
      // A fast fling: 600 px (23 rows) a frame, 36,000 px a second at 60 fps.
      const [gridFling, controlFling] = await rounds(${rounds.fling}, ${frames.fling}, () => 600);
      // Back up over the rows just fetched: the grid's rendering alone, no pages arriving.
      const [gridBack, controlBack] = await rounds(${rounds.back}, ${frames.back}, () => -600);
      // Jumps across the result: an 80th of it each frame, every frame's rows unseen (and, on the grid, unfetched).
      const [gridJumps, controlJumps] = await rounds(${rounds.jumps}, ${frames.jumps}, (t) => t.scrollHeight / 80);
      const draws = performance.getEntriesByName('grid-draw').map((e) => e.duration).sort((a, b) => a - b);
      return { gridFling, gridBack, gridJumps, controlFling, controlBack, controlJumps, draws };
    })()`)) as ScrollFigures;
}

/** The first page's load: compressed bytes of the scripts it fetched, DOM interactive, and the console's `console-ready` mark (ms). */
export async function loadFigures(page: Page): Promise<{ interactive: number; ready: number; js: number }> {
  return (await page.evaluate(
    `({ interactive: performance.getEntriesByType('navigation')[0].domInteractive, ready: performance.getEntriesByName('console-ready')[0].startTime,
        js: performance.getEntriesByType('resource').filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js')).reduce((n, r) => n + r.encodedBodySize, 0) })`,
  )) as { interactive: number; ready: number; js: number };
}
