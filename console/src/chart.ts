import uPlot from 'uplot';

/** One line of a chart: its label and its y values, aligned with the chart's x values; lines may share a colour (by index) and be dashed. */
export interface Line {
  label: string;
  values: (number | null)[];
  colour?: number;
  dashed?: boolean;
}

const COLOURS = ['#1557b0', '#c05600', '#2e7d32', '#8e24aa', '#00838f', '#ad1457', '#6d4c41'];

/**
 * A line chart (uPlot: small, fast, canvas) sized to its container, with a legend; `update` replaces the
 * data in place (live charts), `destroy` frees it. `x` is time in seconds when `time` is true.
 */
export function lineChart(
  el: HTMLElement,
  opts: { title: string; xLabel: string; yLabel: string; x: number[]; lines: Line[]; time?: boolean; height?: number },
): { update(x: number[], lines: Line[]): void; destroy(): void } {
  const width = () => Math.max(240, el.clientWidth || 480);
  const chart = new uPlot(
    {
      title: opts.title,
      width: width(),
      height: opts.height ?? 220,
      scales: { x: { time: opts.time ?? false } },
      axes: [{ label: opts.xLabel }, { label: opts.yLabel }],
      series: [
        { label: opts.xLabel },
        ...opts.lines.map((line, i) => ({
          label: line.label,
          stroke: COLOURS[(line.colour ?? i) % COLOURS.length],
          width: 2,
          ...(line.dashed ? { dash: [6, 4] } : {}),
        })),
      ],
    },
    [opts.x, ...opts.lines.map((l) => l.values)] as uPlot.AlignedData,
    el,
  );
  const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: opts.height ?? 220 }));
  resize.observe(el);
  return {
    update: (x, lines) => chart.setData([x, ...lines.map((l) => l.values)] as uPlot.AlignedData),
    destroy: () => {
      resize.disconnect();
      chart.destroy();
    },
  };
}
