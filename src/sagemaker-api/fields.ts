import type { AwsRequest } from './records.js';
import { awsError } from './aws-errors.js';

/** SageMaker's resource names: letters, digits and hyphens, 1–63, starting and ending alphanumeric. */
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** The request body as an object; anything else is SageMaker's SerializationException. */
export function requestObject(body: string | undefined): AwsRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body === undefined || body.trim() === '' ? '{}' : body);
  } catch {
    throw awsError('SerializationException', 'the request body is not valid JSON (application/x-amz-json-1.1)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw awsError('SerializationException', 'the request body must be a JSON object');
  return parsed as AwsRequest;
}

const violation = (field: string, what: string, value: unknown): Error =>
  awsError(
    'ValidationException',
    `1 validation error detected: Value ${JSON.stringify(value)?.slice(0, 200) ?? 'null'} at '${field}' failed to satisfy constraint: ${what}`,
  );

export function text(req: AwsRequest, field: string): string {
  const v = req[field];
  if (typeof v !== 'string' || v === '') throw violation(field, 'Member must not be null and must be a non-empty string', v);
  return v;
}

export function optionalText(req: AwsRequest, field: string): string | undefined {
  return req[field] === undefined ? undefined : text(req, field);
}

export function name(req: AwsRequest, field: string): string {
  const v = text(req, field);
  if (!NAME.test(v)) throw violation(field, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}', v);
  return v;
}

export function object(req: AwsRequest, field: string, required = true): AwsRequest | undefined {
  const v = req[field];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw violation(field, 'Member must not be null and must be a structure', v);
  return v as AwsRequest;
}

export function list(req: AwsRequest, field: string): AwsRequest[] {
  const v = req[field];
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x)))
    throw violation(field, 'Member must be a non-empty list of structures', v);
  return v as AwsRequest[];
}

export function stringMap(req: AwsRequest, field: string): Record<string, string> {
  const v = object(req, field, false) ?? {};
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') throw violation(`${field}.${k}`, 'Member must be a string', x);
  return v as Record<string, string>;
}

export function optionalInteger(req: AwsRequest, field: string, min: number, max: number): number | undefined {
  const v = req[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw violation(field, `Member must be an integer in ${min}..${max}`, v);
  return v;
}

/** List* paging and filters: NameContains, StatusEquals, SortBy, SortOrder, MaxResults, NextToken (an offset). */
export function page<T extends { name: string; status: string; created: number }>(
  req: AwsRequest,
  items: T[],
  sortFields: Readonly<Record<string, (t: T) => string | number>>,
): { items: T[]; NextToken?: string } {
  const contains = optionalText(req, 'NameContains');
  const status = optionalText(req, 'StatusEquals');
  const sortBy = optionalText(req, 'SortBy') ?? 'CreationTime';
  const order = optionalText(req, 'SortOrder') ?? 'Descending';
  const key = sortFields[sortBy];
  if (!key) throw violation('SortBy', `Member must satisfy enum value set: [${Object.keys(sortFields).join(', ')}]`, sortBy);
  if (order !== 'Ascending' && order !== 'Descending')
    throw violation('SortOrder', 'Member must satisfy enum value set: [Ascending, Descending]', order);
  const max = optionalInteger(req, 'MaxResults', 1, 100) ?? 10;
  const token = optionalText(req, 'NextToken');
  const start = token === undefined ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0)
    throw awsError('ValidationException', `NextToken ${JSON.stringify(token)} is not one this service returned`);
  const after = typeof req.CreationTimeAfter === 'number' ? req.CreationTimeAfter : -Infinity;
  const before = typeof req.CreationTimeBefore === 'number' ? req.CreationTimeBefore : Infinity;
  const sign = order === 'Ascending' ? 1 : -1;
  const kept = items
    .filter(
      (t) =>
        (contains === undefined || t.name.toLowerCase().includes(contains.toLowerCase())) && (status === undefined || t.status === status),
    )
    .filter((t) => t.created > after && t.created < before)
    .sort((a, b) => (key(a) < key(b) ? -sign : key(a) > key(b) ? sign : 0));
  const slice = kept.slice(start, start + max);
  return start + max < kept.length ? { items: slice, NextToken: String(start + max) } : { items: slice };
}
