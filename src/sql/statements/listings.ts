import type { ObjectKind } from '../../access/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import type { Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { canSee } from './privileges.js';

/**
 * Objects other parts of recpipe own (training jobs, endpoints) that SQL users list and inspect the
 * Snowflake way: SHOW <plural> [LIKE '…'] and DESCRIBE <singular> name. The engine supplies them,
 * so the SQL layer needs no knowledge of jobs or endpoints.
 */
export interface ObjectListing {
  /** e.g. ['TRAINING', 'JOBS'] for SHOW TRAINING JOBS. */
  readonly plural: readonly string[];
  /** e.g. ['TRAINING', 'JOB'] for DESCRIBE TRAINING JOB name. */
  readonly singular: readonly string[];
  /** `name:TYPE` specs; the first column holds the object's name (what LIKE matches). */
  readonly columns: readonly string[];
  list(): unknown[][];
  /** Property/value pairs of one object, or null when there is none of that name. */
  describe(name: string): [string, unknown][] | null;
  /**
   * For owned objects (endpoints, training jobs): their kind and owner role. SHOW and DESCRIBE then
   * show a role only the objects it owns or holds a privilege on, as Snowflake does.
   */
  readonly owned?: { readonly kind: ObjectKind; owner(name: string): string };
}

/** Whether the session's role may see a listed object (always, for listings without owners). */
export function visibleInListing(ctx: ExecContext, listing: ObjectListing, name: string): boolean {
  const owned = listing.owned;
  return owned === undefined || canSee(ctx, { kind: owned.kind, name }, owned.owner(name));
}

const matchWords = (p: Parser, words: readonly string[]): boolean => {
  const at = p.position;
  if (words.every((w) => p.acceptWords(w))) return true;
  p.seek(at);
  return false;
};

/** SHOW for a listing, or null when the statement names none of them. */
export function showListing(ctx: ExecContext, p: Parser): StatementResult | null {
  const listing = ctx.listings.find((l) => matchWords(p, l.plural));
  if (!listing) return null;
  const like = p.acceptWords('LIKE') ? p.string('LIKE pattern') : null;
  p.expectEnd();
  const matches = likeMatcher(like);
  return queryResult(
    ctx.statement,
    columnsOf(...listing.columns),
    listing.list().filter((row) => matches(String(row[0])) && visibleInListing(ctx, listing, String(row[0]))),
  );
}

/**
 * DESCRIBE for a listing, or null. Object names such as train-20261126-153615-0a3a or
 * movielens-model-v1 are not SQL identifiers, so the name may be written bare, quoted or as a string.
 */
export function describeListing(ctx: ExecContext, p: Parser): StatementResult | null {
  const listing = ctx.listings.find((l) => matchWords(p, l.singular));
  if (!listing) return null;
  const first = p.peek();
  if (!first) return p.fail(`${listing.singular.join(' ').toLowerCase()} name`);
  const name =
    first.kind === 'string' || first.kind === 'quoted'
      ? first.value
      : ctx.statement.text.slice(first.start).trim().replace(/;$/, '').trim();
  const props = visibleInListing(ctx, listing, name) ? listing.describe(name) : null;
  if (props === null)
    throw compilation(
      'NOT_FOUND',
      `${listing.singular.map((w) => w[0] + w.slice(1).toLowerCase()).join(' ')} '${name}' does not exist or not authorized.`,
    );
  const rows = props.map(([k, v]) => [k, v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  return queryResult(ctx.statement, columnsOf('property', 'value'), rows);
}
