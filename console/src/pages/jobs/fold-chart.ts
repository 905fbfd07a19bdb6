import type { Fold } from './model.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 420;
const H = 160;
const PAD = { left: 56, right: 12, top: 12, bottom: 30 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The test RMSE of each fold as a dot, with the mean as a dashed line: how much the folds disagree. */
export function foldRmseChart(folds: readonly Fold[], mean: number): SVGSVGElement {
  const values = folds.map((f) => f.rmse);
  const lo = Math.min(...values, mean);
  const hi = Math.max(...values, mean);
  const span = hi - lo || Math.max(hi * 0.01, 1e-3);
  const y = (v: number) => PAD.top + (1 - (v - (lo - span * 0.15)) / (span * 1.3)) * (H - PAD.top - PAD.bottom);
  const x = (i: number) => PAD.left + ((i + 0.5) / folds.length) * (W - PAD.left - PAD.right);
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'fold-chart',
    role: 'img',
    'aria-label': `Test RMSE by fold: ${folds.map((f) => `fold ${f.fold} ${f.rmse.toFixed(4)}`).join(', ')}; mean ${mean.toFixed(4)}`,
  });
  root.append(
    svg('line', { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom, class: 'axis' }),
    svg('line', { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, class: 'axis' }),
    svg('text', { x: 4, y: y(hi) + 4, class: 'tick' }, hi.toFixed(4)),
    svg('text', { x: 4, y: y(lo) + 4, class: 'tick' }, lo.toFixed(4)),
    svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(mean), y2: y(mean), class: 'mean' }),
  );
  folds.forEach((f, i) => {
    const dot = svg('circle', { cx: x(i), cy: y(f.rmse), r: 5, class: 'dot' });
    dot.append(svg('title', {}, `Fold ${f.fold}: RMSE ${f.rmse.toFixed(4)}`));
    root.append(dot, svg('text', { x: x(i), y: H - 10, class: 'tick', 'text-anchor': 'middle' }, `Fold ${f.fold}`));
  });
  return root;
}
