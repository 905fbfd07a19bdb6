import { invalid } from '../core/errors.js';

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** The facts recpipe takes from Snowflake's `sf-*` request headers. */
export interface BatchHeaders {
  /** `sf-external-function-query-batch-id`: the same on retries and async polls of one batch. */
  readonly batchId: string | null;
  /** `sf-context-current-database` / `-schema` (sent when the function declares CONTEXT_HEADERS). */
  readonly database: string | null;
  readonly schema: string | null;
  /** `sf-custom-async: true` (from the function's HEADERS clause) asks for a 202 at once and polling. */
  readonly async: boolean;
}

const one = (h: HeaderBag, name: string): string | null => {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? null : s.trim();
};

/**
 * Reads the `sf-*` headers. Every `sf-external-function-*` header is accepted; the format ones are
 * checked because a format recpipe does not speak would otherwise be misread silently.
 */
export function readBatchHeaders(h: HeaderBag): BatchHeaders {
  const format = one(h, 'sf-external-function-format');
  if (format !== null && format.toLowerCase() !== 'json')
    throw invalid(`sf-external-function-format '${format}' is not supported; recpipe speaks json`);
  const version = one(h, 'sf-external-function-format-version');
  if (version !== null && !/^1(\.\d+)?$/.test(version))
    throw invalid(`sf-external-function-format-version '${version}' is not supported; recpipe speaks 1.0`);
  const batchId = one(h, 'sf-external-function-query-batch-id');
  if (batchId !== null && batchId.length > 200)
    throw invalid(`sf-external-function-query-batch-id is ${batchId.length} characters; at most 200`);
  const asyncFlag = one(h, 'sf-custom-async');
  return {
    batchId,
    database: one(h, 'sf-context-current-database'),
    schema: one(h, 'sf-context-current-schema'),
    async: asyncFlag !== null && /^(true|1|yes)$/i.test(asyncFlag),
  };
}
