/** One neighbour of an item: its inner id and the cosine of the angle between their factor vectors. */
export interface SimilarItem {
  readonly item: number;
  readonly cosine: number;
}

/**
 * The `n` items whose factor vectors (rows of `factors`, `k` wide, row-major) point most nearly the way
 * item `of`'s does, by cosine, best first (ties by inner id), leaving `of` itself out. Items with a zero
 * vector have no direction and are left out too, as is everything when `of`'s vector is zero.
 */
export function similarItems(factors: Float32Array, k: number, of: number, n: number): SimilarItem[] {
  const count = k > 0 ? Math.floor(factors.length / k) : 0;
  if (of < 0 || of >= count || n < 1) return [];
  const norm = (i: number): number => {
    let s = 0;
    for (let f = 0; f < k; f++) s += factors[i * k + f] * factors[i * k + f];
    return Math.sqrt(s);
  };
  const own = norm(of);
  if (own === 0) return [];
  const found: SimilarItem[] = [];
  for (let i = 0; i < count; i++) {
    if (i === of) continue;
    const other = norm(i);
    if (other === 0) continue;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += factors[of * k + f] * factors[i * k + f];
    found.push({ item: i, cosine: dot / (own * other) });
  }
  found.sort((a, b) => b.cosine - a.cosine || a.item - b.item);
  return found.slice(0, n);
}
