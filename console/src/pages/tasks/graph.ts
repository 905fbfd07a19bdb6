/** A task as the graph draws it: its key (DB.SCHEMA.NAME), label, state and the keys it runs after. */
export interface GraphTask {
  readonly key: string;
  readonly label: string;
  readonly state: string;
  readonly after: readonly string[];
}

const NS = 'http://www.w3.org/2000/svg';
const W = 168;
const H = 44;
const GAP_X = 72;
const GAP_Y = 18;

/**
 * Each task's column: 0 for a root (no predecessor among the tasks shown), else one after its deepest
 * predecessor, so every edge points right. A cycle (which CREATE TASK refuses) is cut where found.
 */
export function layers(tasks: readonly GraphTask[]): Map<string, number> {
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (key: string): number => {
    const known = depth.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) return 0;
    visiting.add(key);
    let d = 0;
    for (const p of byKey.get(key)?.after ?? []) if (byKey.has(p)) d = Math.max(d, visit(p) + 1);
    visiting.delete(key);
    depth.set(key, d);
    return d;
  };
  for (const t of tasks) visit(t.key);
  return depth;
}

const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] => {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
};

/** The task graph as SVG: roots on the left, each task after its predecessors, edges as arrows, nodes coloured by state. */
export function drawGraph(tasks: readonly GraphTask[]): SVGSVGElement {
  const depth = layers(tasks);
  const columns: GraphTask[][] = [];
  for (const t of tasks) (columns[depth.get(t.key)!] ??= []).push(t);
  const at = new Map<string, { x: number; y: number }>();
  columns.forEach((col, c) => col.forEach((t, r) => at.set(t.key, { x: 8 + c * (W + GAP_X), y: 8 + r * (H + GAP_Y) })));
  const width = 16 + columns.length * (W + GAP_X) - GAP_X;
  const height = 16 + Math.max(1, ...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'task-graph' });
  root.append(svg('title', {}));
  root.firstElementChild!.textContent = `Task graph: ${tasks.length} tasks`;
  const defs = svg('defs', {});
  const marker = svg('marker', {
    id: 'task-arrow',
    viewBox: '0 0 10 10',
    refX: 10,
    refY: 5,
    markerWidth: 8,
    markerHeight: 8,
    orient: 'auto',
  });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#5a6275' }));
  defs.append(marker);
  root.append(defs);
  for (const t of tasks) {
    for (const p of t.after) {
      const from = at.get(p);
      const to = at.get(t.key);
      if (!from || !to) continue;
      const [x1, y1, x2, y2] = [from.x + W, from.y + H / 2, to.x, to.y + H / 2];
      const mid = (x1 + x2) / 2;
      root.append(
        svg('path', {
          d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
          class: 'task-edge',
          'data-from': p,
          'data-to': t.key,
          'marker-end': 'url(#task-arrow)',
        }),
      );
    }
  }
  for (const t of tasks) {
    const { x, y } = at.get(t.key)!;
    const g = svg('g', { class: `task-node task-${t.state.toLowerCase()}`, 'data-task': t.key, transform: `translate(${x},${y})` });
    g.append(svg('rect', { width: W, height: H, rx: 6 }));
    const name = svg('text', { x: 10, y: 18, class: 'task-name' });
    name.textContent = t.label.length > 22 ? `${t.label.slice(0, 21)}…` : t.label;
    const state = svg('text', { x: 10, y: 35, class: 'task-state' });
    state.textContent = t.state;
    const tip = svg('title', {});
    tip.textContent = `${t.key}: ${t.state}`;
    g.append(tip, name, state);
    root.append(g);
  }
  return root;
}
