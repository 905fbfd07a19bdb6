import { ratingsFromRows, type BuiltRatings, type RatingsBuilderOptions } from '../../src/core/index.js';

/**
 * Fixture ratings written inline as `user,item,rating` lines (tab or comma, an optional header,
 * no quoting). Files are read by the one ratings reader; this only spares tests a temp file.
 */
export function ratingsFromText(
  text: string,
  { source = 'fixture', ...opts }: RatingsBuilderOptions & { source?: string } = {},
): BuiltRatings {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const delimiter = lines[0]?.includes('\t') && !lines[0].includes(',') ? '\t' : ',';
  const rows = lines.map((l) => l.split(delimiter));
  if (rows.length > 0 && Number.isNaN(Number(rows[0][2]))) rows.shift();
  return ratingsFromRows(
    rows.map((f) => [f[0], f[1], Number(f[2])] as const),
    opts,
    source,
  );
}
