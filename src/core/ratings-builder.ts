import type { Dataset, RatingScale } from './dataset.js';
import { dedupe, type DuplicatePolicy, type DuplicateReport } from './dedupe.js';
import { invalid } from './errors.js';
import { grow, NumberCodes } from './id-codes.js';
import { IdMap, normalizeId, type RawId } from './ids.js';

/** An id column chunk: doubles (NaN for NULL) or text (null for NULL). */
export type IdChunk = Float64Array | readonly (string | null)[];

export type RatingField = 'user' | 'item' | 'rating';

/** A row the builder refused; `row` counts appended rows from 0, the reader turns it into a line. */
export interface RowProblem {
  readonly row: number;
  readonly field: RatingField;
  readonly value: string;
  readonly why: string;
}

export interface RatingsBuilderOptions {
  /** Given scale: ratings outside it are errors. Otherwise inferred as [min, max]. */
  readonly scale?: RatingScale;
  readonly duplicates?: DuplicatePolicy;
  /** Share vocabularies across sources (a fold's train and test). */
  readonly userIds?: IdMap;
  readonly itemIds?: IdMap;
  /** A guess of the row count, to size the arrays once. */
  readonly expectedRows?: number;
}

export interface BuiltRatings {
  readonly dataset: Dataset;
  readonly rowsRead: number;
  readonly duplicates: DuplicateReport;
  /** Negative ratings are legal (some scales are) but rarely meant: counted, first row kept for a warning. */
  readonly negative: { readonly count: number; readonly firstRow: number };
}

/** Doubles beyond 2^53 lose digits: such an id column must be read again as text. */
const EXACT_LIMIT = 2 ** 53;
const MAX_PROBLEMS = 5;

/**
 * Turns chunks of (user, item, rating) columns, in data order, into a Dataset: ids interned
 * column-wise (one id string per distinct value, normalised so that 1, 1.0 and '1' are one id),
 * ratings checked (finite, inside a given scale), duplicates reduced by `dedupe`. Readers (CSV
 * files, tables) stream into it, so peak memory is the typed arrays, not the source text.
 */
export class RatingsBuilder {
  private users: Int32Array;
  private items: Int32Array;
  private ratings: Float32Array;
  /** Set by the first chunk that carries timestamps; then every chunk must. */
  private times: Float64Array | null = null;
  private size = 0;
  private readonly userCodes = { number: new NumberCodes(), text: new IdMap(), kind: null as 'number' | 'text' | null };
  private readonly itemCodes = { number: new NumberCodes(), text: new IdMap(), kind: null as 'number' | 'text' | null };
  /** The accepted ratings' range, kept while appending: the inferred scale without another pass. */
  private min = Infinity;
  private max = -Infinity;
  private userScratch: Int32Array = new Int32Array(0);
  private itemScratch: Int32Array = new Int32Array(0);
  private negativeCount = 0;
  private firstNegative = -1;
  /** Refused rows: the first few described, all counted. */
  readonly problems: RowProblem[] = [];
  badRows = 0;
  /** Set when a numeric id column holds a value a double cannot carry exactly; the reader re-reads it as text. */
  inexact: 'user' | 'item' | null = null;

  constructor(private readonly opts: RatingsBuilderOptions = {}) {
    const n = Math.max(1024, Math.ceil(opts.expectedRows ?? 0));
    this.users = new Int32Array(n);
    this.items = new Int32Array(n);
    this.ratings = new Float32Array(n);
  }

  get rowsRead(): number {
    return this.size + this.badRows;
  }

  /** `times`: each row's timestamp (NaN when missing), when the source has a timestamp column. */
  append(users: IdChunk, items: IdChunk, ratings: ArrayLike<number>, n: number, times?: ArrayLike<number>): void {
    if (times && !this.times) this.times = new Float64Array(this.users.length);
    if (this.size + n > this.users.length) this.reserve(this.size + n);
    const scale = this.opts.scale;
    const userCodes = this.codeColumn(this.userCodes, users, n, 'user');
    const itemCodes = this.codeColumn(this.itemCodes, items, n, 'item');
    for (let k = 0; k < n; k++) {
      const row = this.size + this.badRows;
      const u = userCodes !== null && userCodes[k] >= 0 ? userCodes[k] : this.code(this.userCodes, users, k, 'user', row);
      if (u < 0) continue;
      const i = itemCodes !== null && itemCodes[k] >= 0 ? itemCodes[k] : this.code(this.itemCodes, items, k, 'item', row);
      if (i < 0) continue;
      const r = ratings[k];
      if (!Number.isFinite(r)) {
        this.refuse(row, 'rating', String(r), Number.isNaN(r) ? 'is missing or not a number' : 'is not a finite number');
        continue;
      }
      if (scale && (r < scale.min || r > scale.max)) {
        this.refuse(row, 'rating', String(r), `is outside the rating scale ${scale.min}–${scale.max}`);
        continue;
      }
      if (r < 0 && this.negativeCount++ === 0) this.firstNegative = row;
      if (r < this.min) this.min = r;
      if (r > this.max) this.max = r;
      this.users[this.size] = u;
      this.items[this.size] = i;
      this.ratings[this.size] = r;
      if (this.times) this.times[this.size] = times ? times[k] : Number.NaN;
      this.size++;
    }
  }

  /** The Dataset, once every chunk is in and no row was refused. */
  finish(source: string): BuiltRatings {
    if (this.badRows > 0) throw new RangeError('finish() after refused rows: report builder.problems instead');
    if (this.size === 0) throw invalid(`${source}: no ratings to read`, { source });
    const userIds = this.opts.userIds ?? new IdMap();
    const itemIds = this.opts.itemIds ?? new IdMap();
    const users = this.users.subarray(0, this.size);
    const items = this.items.subarray(0, this.size);
    recode(users, vocabulary(this.userCodes, userIds));
    recode(items, vocabulary(this.itemCodes, itemIds));
    const ratings = this.ratings.subarray(0, this.size);
    const raw: Dataset = {
      size: this.size,
      users,
      items,
      ratings,
      ...(this.times ? { timestamps: this.times.subarray(0, this.size) } : {}),
      userIds,
      itemIds,
      // Math.fround: the range of the ratings as stored (Float32), as inferScale over them gives.
      scale: this.opts.scale ?? { min: Math.fround(this.min), max: Math.fround(this.max) },
    };
    const { dataset, duplicates } = dedupe(raw, this.opts.duplicates ?? 'last');
    return { dataset, rowsRead: this.rowsRead, duplicates, negative: { count: this.negativeCount, firstRow: this.firstNegative } };
  }

  /**
   * A numeric chunk's codes in one tight pass over the column (-1 where a value is NULL or beyond
   * 2^53: the row loop refuses those through `code`); null for text chunks, coded row by row.
   */
  private codeColumn(codes: RatingsBuilder['userCodes'], values: IdChunk, n: number, field: 'user' | 'item'): Int32Array | null {
    if (!(values instanceof Float64Array)) return null;
    if ((codes.kind ??= 'number') !== 'number') throw new RangeError(`${field} ids arrived as numbers after text`);
    const out = field === 'user' ? (this.userScratch = scratch(this.userScratch, n)) : (this.itemScratch = scratch(this.itemScratch, n));
    const number = codes.number;
    for (let k = 0; k < n; k++) {
      const v = values[k];
      out[k] = Math.abs(v) < EXACT_LIMIT ? number.code(v) : -1;
    }
    return out;
  }

  private code(codes: RatingsBuilder['userCodes'], values: IdChunk, k: number, field: 'user' | 'item', row: number): number {
    if (values instanceof Float64Array) {
      const v = values[k];
      if (Number.isNaN(v)) return this.refuse(row, field, 'NULL', `has no ${field} id`);
      if (Math.abs(v) >= EXACT_LIMIT) {
        this.inexact ??= field;
        return this.refuse(row, field, String(v), 'is too large to read as a number');
      }
      if ((codes.kind ??= 'number') !== 'number') throw new RangeError(`${field} ids arrived as numbers after text`);
      return codes.number.code(v);
    }
    const s = values[k];
    const id = s === null ? '' : s.trim();
    if (id === '') return this.refuse(row, field, JSON.stringify(s ?? 'NULL'), `is an empty ${field} id`);
    if ((codes.kind ??= 'text') !== 'text') throw new RangeError(`${field} ids arrived as text after numbers`);
    return codes.text.intern(id);
  }

  private refuse(row: number, field: RatingField, value: string, why: string): -1 {
    this.badRows++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ row, field, value, why });
    return -1;
  }

  private reserve(need: number): void {
    const capacity = Math.max(need, Math.ceil(this.users.length * 1.5));
    this.users = grow(this.users, capacity);
    this.items = grow(this.items, capacity);
    this.ratings = grow(this.ratings, capacity);
    if (this.times) this.times = grow(this.times, capacity);
  }
}

const scratch = (a: Int32Array, n: number): Int32Array => (a.length >= n ? a : new Int32Array(Math.max(n, 2048)));

/** Code -> inner id of the shared vocabulary, normalising each distinct value once. */
function vocabulary(codes: RatingsBuilder['userCodes'], ids: IdMap): Int32Array {
  if (codes.kind === 'number') return Int32Array.from(codes.number.values(), (v) => ids.intern(normalizeId(v)));
  // Text codes key the raw (trimmed) text; normalising may merge several into one id.
  return Int32Array.from(codes.text.rawIds(), (v) => ids.intern(normalizeId(v)));
}

function recode(codes: Int32Array, inner: Int32Array): void {
  // A fresh vocabulary of distinct numbers gives each code its own number as inner id: nothing to do.
  let identity = true;
  for (let c = 0; c < inner.length && identity; c++) identity = inner[c] === c;
  if (identity) return;
  for (let k = 0; k < codes.length; k++) codes[k] = inner[codes[k]];
}

/** A Dataset from rows held in memory (small payloads, fixtures): ids normalised, duplicates reduced. */
export function ratingsFromRows(
  rows: readonly (readonly [RawId, RawId, number])[],
  opts: RatingsBuilderOptions = {},
  source = 'rows',
): BuiltRatings {
  const builder = new RatingsBuilder({ ...opts, expectedRows: rows.length });
  builder.append(
    rows.map((r) => String(r[0])),
    rows.map((r) => String(r[1])),
    rows.map((r) => r[2]),
    rows.length,
  );
  if (builder.badRows > 0) {
    const shown = builder.problems.map((p) => `row ${p.row + 1}, ${p.field}: ${p.value} ${p.why}`).join('; ');
    throw invalid(`${source}: ${builder.badRows} bad row${builder.badRows === 1 ? '' : 's'}: ${shown}`, {
      source,
      badRows: builder.badRows,
    });
  }
  return builder.finish(source);
}
