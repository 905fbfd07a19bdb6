const BLOCKS = '▁▂▃▄▅▆▇█';

/** A one-line picture of a series (e.g. training RMSE per epoch): first value, blocks, last value. */
export function sparkline(values: readonly number[], digits = 4): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const blocks = values.map((v) => BLOCKS[Math.round(((v - min) / span) * (BLOCKS.length - 1))]).join('');
  return `${values[0].toFixed(digits)} ${blocks} ${values[values.length - 1].toFixed(digits)}`;
}
