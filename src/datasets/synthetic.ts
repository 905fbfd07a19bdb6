import { createRng } from '../core/index.js';

export interface SyntheticMovieLens {
  /** `userId,movieId,rating,timestamp` with a header, like MovieLens. */
  readonly ratingsCsv: string;
  /** `movieId,title,genres` with a header; titles with commas are double-quoted. */
  readonly moviesCsv: string;
}

const GENRES = ['Action', 'Adventure', 'Animation', 'Comedy', 'Crime', 'Drama', 'Fantasy', 'Horror', 'Romance', 'Sci-Fi', 'Thriller'];

/**
 * A MovieLens-shaped sample for machines without the real data: users and movies with planted
 * taste factors, ratings 0.5–5 in half steps, popularity skewed like real catalogues. Same seed,
 * same files.
 */
export function syntheticMovieLens(users = 300, movies = 1_500, ratingsPerUser = 60, seed = 42): SyntheticMovieLens {
  const rng = createRng(seed);
  const k = 4;
  const userTaste = Array.from({ length: users * k }, () => rng.normal());
  const movieTaste = Array.from({ length: movies * k }, () => rng.normal());
  const movieBias = Array.from({ length: movies }, () => 0.4 * rng.normal());
  const lines = ['userId,movieId,rating,timestamp'];
  for (let u = 0; u < users; u++) {
    const seen = new Set<number>();
    const n = Math.max(20, Math.round(ratingsPerUser * Math.exp(0.8 * rng.normal())));
    while (seen.size < Math.min(n, movies)) seen.add(Math.floor(movies * rng.next() ** 2)); // skew to popular ids
    for (const m of [...seen].sort((a, b) => a - b)) {
      let dot = 0;
      for (let f = 0; f < k; f++) dot += userTaste[u * k + f] * movieTaste[m * k + f];
      const raw = 3.5 + movieBias[m] + 0.35 * dot + 0.5 * rng.normal();
      const rating = Math.min(5, Math.max(0.5, Math.round(raw * 2) / 2));
      lines.push(`${u + 1},${m + 1},${rating.toFixed(1)},${1_500_000_000 + Math.floor(rng.next() * 2e8)}`);
    }
  }
  const movieLines = ['movieId,title,genres'];
  for (let m = 0; m < movies; m++) {
    const title = m % 7 === 0 ? `"Sample Movie ${m + 1}, The (${1950 + (m % 70)})"` : `Sample Movie ${m + 1} (${1950 + (m % 70)})`;
    const genres = [GENRES[m % GENRES.length], GENRES[(m * 7 + 3) % GENRES.length]].filter((g, i, a) => a.indexOf(g) === i).join('|');
    movieLines.push(`${m + 1},${title},${genres}`);
  }
  return { ratingsCsv: lines.join('\r\n') + '\r\n', moviesCsv: movieLines.join('\r\n') + '\r\n' };
}
