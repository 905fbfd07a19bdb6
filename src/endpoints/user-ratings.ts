import { invalid } from '../core/index.js';

/** A new user's ratings as the caller sent them: raw item ids beside their ratings. */
export interface UserRatings {
  readonly items: readonly unknown[];
  readonly ratings: readonly number[];
}

export const USER_RATINGS_SHAPE = '[[item, rating], …], [{"item": …, "rating": …}, …] or {"<item>": rating, …}';

/**
 * A user's ratings for fold-in, from JSON text or an already parsed value (SQL passes VARIANT and
 * ARRAY values as JSON text): `[[item, rating], …]`, `[{"item": i, "rating": r}, …]`
 * (`movieid`/`movie` name the item too, as in the guide's tables) or `{"<item>": rating}`. NULL
 * and an empty list mean no ratings. `what` names the value in errors.
 */
export function parseUserRatings(value: unknown, what: string): UserRatings | null {
  if (value === null || value === undefined) return null;
  let doc: unknown = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return null;
    try {
      doc = JSON.parse(value);
    } catch (e) {
      throw invalid(`${what} is not valid JSON (${(e as Error).message}); expected ${USER_RATINGS_SHAPE}`);
    }
  }
  if (doc === null) return null;
  const items: unknown[] = [];
  const ratings: number[] = [];
  const add = (item: unknown, rating: unknown, at: string) => {
    const r = typeof rating === 'string' && rating.trim() !== '' ? Number(rating) : rating;
    if (typeof r !== 'number' || !Number.isFinite(r)) throw invalid(`${what}${at}: the rating must be a number, got ${preview(rating)}`);
    if (item === null || item === undefined || (typeof item === 'string' && item.trim() === ''))
      throw invalid(`${what}${at}: the item id is missing`);
    items.push(item);
    ratings.push(r);
  };
  if (Array.isArray(doc)) {
    doc.forEach((element: unknown, k) => {
      // array_agg(object_construct(…)) lists JSON values, which SQL hands over as JSON text.
      const x = typeof element === 'string' && /^\s*[[{]/.test(element) ? parseElement(element, `${what}[${k}]`) : element;
      if (Array.isArray(x) && x.length === 2) return add(x[0], x[1], `[${k}]`);
      if (isObject(x)) return add(x.item ?? x.movieid ?? x.movie ?? x.ITEM ?? x.MOVIEID, x.rating ?? x.RATING, `[${k}]`);
      throw invalid(`${what}[${k}]: expected [item, rating] or {"item": …, "rating": …}, got ${preview(x)}`);
    });
  } else if (isObject(doc)) {
    for (const [item, rating] of Object.entries(doc)) add(item, rating, `.${item}`);
  } else {
    throw invalid(`${what}: expected ${USER_RATINGS_SHAPE}, got ${preview(doc)}`);
  }
  return items.length === 0 ? null : { items, ratings };
}

function parseElement(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid(`${what} is not valid JSON (${(e as Error).message})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function preview(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? s.slice(0, 80) + '…' : s;
}
