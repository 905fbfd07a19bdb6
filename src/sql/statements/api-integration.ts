import { RecpipeError } from '../../core/errors.js';
import type { ApiIntegration, ApiKeyInput, ExternalFunctions } from '../../external/index.js';
import type { SecurableObject } from '../../access/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import type { OptionValue, Options, Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { canSee, requireOwnership } from './privileges.js';

const PROVIDERS = [
  'AWS_API_GATEWAY',
  'AWS_PRIVATE_API_GATEWAY',
  'AWS_GOV_API_GATEWAY',
  'AWS_GOV_PRIVATE_API_GATEWAY',
  'AZURE_API_MANAGEMENT',
  'GOOGLE_API_GATEWAY',
  'GIT_HTTPS_API',
];
const PROPERTIES = [
  'API_PROVIDER',
  'API_AWS_ROLE_ARN',
  'API_KEY',
  'ENABLED',
  'API_ALLOWED_PREFIXES',
  'API_BLOCKED_PREFIXES',
  'COMMENT',
  'AZURE_TENANT_ID',
  'AZURE_AD_APPLICATION_ID',
  'GOOGLE_AUDIENCE',
];

/** The engine's external functions, or a clear error when this SQL layer runs without them. */
export function externalsOf(ctx: ExecContext): ExternalFunctions {
  if (!ctx.externals)
    throw compilation('FAILED_PRECONDITION', 'API integrations and external functions are not available in this SQL session.');
  return ctx.externals;
}

/** Integrations are account objects: Snowflake lets ACCOUNTADMIN (or a role inheriting it) create them. */
function requireAccountAdmin(ctx: ExecContext, action: string): void {
  if (!ctx.access.roleHasAny(ctx.session.role, ['ACCOUNTADMIN'])) {
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `SQL access control error: Insufficient privileges to ${action}. Integrations need the ACCOUNTADMIN role (current role: ${ctx.session.role}).`,
    );
  }
}

/** CREATE [OR REPLACE] API INTEGRATION [IF NOT EXISTS] name API_PROVIDER = … API_ALLOWED_PREFIXES = (…) ENABLED = TRUE|FALSE …. */
export async function createApiIntegration(ctx: ExecContext, p: Parser, orReplace: boolean): Promise<StatementResult> {
  const externals = externalsOf(ctx);
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  if (orReplace && ifNotExists) throw compilation('INVALID_ARGUMENT', 'OR REPLACE and IF NOT EXISTS are incompatible.');
  const name = p.identifier('integration name');
  const opts = p.options();
  p.expectEnd();
  requireAccountAdmin(ctx, 'operate on account');
  const existing = externals.integration(name);
  if (existing && ifNotExists) return statusResult(ctx.statement, `${existing.name} already exists, statement succeeded.`);
  if (existing && !orReplace) throw compilation('CONFLICT', `Object '${existing.name}' already exists.`);
  if (existing) requireOwnership(ctx, integrationObject(existing.name), existing.owner, 'integration');
  checkProperties(opts);
  const provider = word(opts, 'API_PROVIDER');
  if (!PROVIDERS.includes(provider))
    throw compilation(
      'INVALID_ARGUMENT',
      `invalid value '${provider}' for property 'API_PROVIDER'; expected one of ${PROVIDERS.join(', ')}`,
    );
  if (!opts.has('ENABLED')) throw compilation('INVALID_ARGUMENT', `missing required property 'ENABLED' (TRUE or FALSE)`);
  const enabled = opts.get('ENABLED');
  if (typeof enabled !== 'boolean')
    throw compilation('INVALID_ARGUMENT', `invalid value ${JSON.stringify(enabled)} for property 'ENABLED'; expected TRUE or FALSE`);
  const allowed = prefixes(opts, 'API_ALLOWED_PREFIXES');
  if (allowed.length === 0) throw compilation('INVALID_ARGUMENT', `missing required property 'API_ALLOWED_PREFIXES'`);
  if (provider.startsWith('AWS') && !opts.has('API_AWS_ROLE_ARN'))
    throw compilation('INVALID_ARGUMENT', `missing required property 'API_AWS_ROLE_ARN' for API_PROVIDER ${provider}`);
  await externals.putIntegration(
    {
      name,
      provider,
      roleArn: optionalString(opts, 'API_AWS_ROLE_ARN'),
      apiKey: apiKeyOf(opts),
      enabled,
      allowedPrefixes: allowed,
      blockedPrefixes: prefixes(opts, 'API_BLOCKED_PREFIXES'),
      owner: ctx.session.role,
      comment: optionalString(opts, 'COMMENT'),
    },
    existing !== undefined,
  );
  // The creating role owns it: it alters, drops and grants USAGE on it (external functions need that USAGE).
  await ctx.access.recordOwnership(integrationObject(name), ctx.session.role);
  return statusResult(ctx.statement, `Integration ${name} successfully created.`);
}

const SETTABLE = ['API_AWS_ROLE_ARN', 'API_KEY', 'ENABLED', 'API_ALLOWED_PREFIXES', 'API_BLOCKED_PREFIXES', 'COMMENT'];
const UNSETTABLE = ['API_KEY', 'ENABLED', 'API_BLOCKED_PREFIXES', 'COMMENT'];

/**
 * ALTER [API] INTEGRATION [IF EXISTS] name SET prop = value … | UNSET prop, …: changes properties in
 * place, keeping the integration's generated identities (an integration created without API_KEY, as
 * the guide does, gets its key this way). UNSET restores a property's default.
 */
export async function alterApiIntegration(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const externals = externalsOf(ctx);
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const name = p.identifier('integration name');
  const set = p.acceptWords('SET');
  if (!set && !p.acceptWords('UNSET')) throw compilation('INVALID_ARGUMENT', `ALTER INTEGRATION ${name} expects SET or UNSET`);
  const opts: Options = set ? p.options() : new Map(unsetList(p).map((k) => [k, null]));
  p.expectEnd();
  const existing = visibleIntegration(ctx, name);
  if (!existing && ifExists) return statusResult(ctx.statement, 'Statement executed successfully.');
  if (!existing) throw compilation('NOT_FOUND', `Integration '${name}' does not exist or not authorized.`);
  requireOwnership(ctx, integrationObject(existing.name), existing.owner, 'integration');
  const allowed = set ? SETTABLE : UNSETTABLE;
  for (const k of opts.keys())
    if (!allowed.includes(k))
      throw compilation(
        'INVALID_ARGUMENT',
        `invalid property '${k}' for ALTER INTEGRATION … ${set ? 'SET' : 'UNSET'}; allowed: ${allowed.join(', ')}`,
      );
  if (opts.size === 0) throw compilation('INVALID_ARGUMENT', `ALTER INTEGRATION ${name} ${set ? 'SET' : 'UNSET'} names no property`);
  const enabled = opts.has('ENABLED') ? (opts.get('ENABLED') ?? false) : existing.enabled;
  if (typeof enabled !== 'boolean')
    throw compilation('INVALID_ARGUMENT', `invalid value ${JSON.stringify(enabled)} for property 'ENABLED'; expected TRUE or FALSE`);
  const allowedPrefixes = opts.has('API_ALLOWED_PREFIXES') ? prefixes(opts, 'API_ALLOWED_PREFIXES') : existing.allowedPrefixes;
  if (allowedPrefixes.length === 0) throw compilation('INVALID_ARGUMENT', `API_ALLOWED_PREFIXES cannot be empty`);
  await externals.alterIntegration(existing.name, {
    roleArn: opts.has('API_AWS_ROLE_ARN') ? optionalString(opts, 'API_AWS_ROLE_ARN') : existing.roleArn,
    apiKey: opts.has('API_KEY') ? apiKeyOf(opts) : undefined,
    enabled,
    allowedPrefixes,
    blockedPrefixes: opts.has('API_BLOCKED_PREFIXES') ? (set ? prefixes(opts, 'API_BLOCKED_PREFIXES') : []) : existing.blockedPrefixes,
    comment: opts.has('COMMENT') ? optionalString(opts, 'COMMENT') : existing.comment,
  });
  return statusResult(ctx.statement, 'Statement executed successfully.');
}

/** UNSET's property names: `a, b, …`. */
function unsetList(p: Parser): string[] {
  const names = [p.identifier('property name').toUpperCase()];
  while (p.acceptPunct(',')) names.push(p.identifier('property name').toUpperCase());
  return names;
}

/** DESCRIBE INTEGRATION name: Snowflake's property rows; the API key only ever masked. */
export function describeIntegration(ctx: ExecContext, p: Parser): StatementResult {
  const name = p.identifier('integration name');
  p.expectEnd();
  const i = existingIntegration(ctx, name);
  const list = (xs: readonly string[]): string => xs.join(',');
  const rows: unknown[][] = [
    ['ENABLED', 'Boolean', String(i.enabled), 'false'],
    ['API_ALLOWED_PREFIXES', 'List', list(i.allowedPrefixes), '[]'],
    ['API_BLOCKED_PREFIXES', 'List', list(i.blockedPrefixes), '[]'],
    ['API_PROVIDER', 'String', i.provider, ''],
    ['API_AWS_IAM_USER_ARN', 'String', i.iamUserArn, ''],
    ['API_AWS_ROLE_ARN', 'String', i.roleArn ?? '', ''],
    ['API_AWS_EXTERNAL_ID', 'String', i.externalId, ''],
    ['API_KEY', 'String', i.apiKeySecret === null ? '' : '********', ''],
    ['COMMENT', 'String', i.comment ?? '', ''],
  ];
  return queryResult(ctx.statement, columnsOf('property', 'property_type', 'property_value', 'property_default'), rows);
}

/** SHOW [API] INTEGRATIONS [LIKE '…']. */
export function showIntegrations(ctx: ExecContext, p: Parser): StatementResult {
  const like = p.acceptWords('LIKE') ? p.string('LIKE pattern') : null;
  p.expectEnd();
  const matches = likeMatcher(like);
  const rows = externalsOf(ctx)
    .integrations()
    .filter((i) => matches(i.name) && canSee(ctx, integrationObject(i.name), integrationOwner(ctx, i)))
    .map((i) => [i.name, 'EXTERNAL_API', 'API', String(i.enabled), i.comment ?? '', i.createdOn ?? null]);
  return queryResult(ctx.statement, columnsOf('name', 'type', 'category', 'enabled', 'comment', 'created_on:TIMESTAMP_LTZ'), rows);
}

/** DROP [API] INTEGRATION [IF EXISTS] name. */
export async function dropIntegration(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const name = p.identifier('integration name');
  p.expectEnd();
  const existing = visibleIntegration(ctx, name);
  if (!existing && ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${name} already dropped).`);
  if (!existing) throw compilation('NOT_FOUND', `Integration '${name}' does not exist or not authorized.`);
  requireOwnership(ctx, integrationObject(existing.name), existing.owner, 'integration');
  await externalsOf(ctx).dropIntegration(existing.name);
  await ctx.access.objectDropped(integrationObject(existing.name));
  return statusResult(ctx.statement, `${existing.name} successfully dropped.`);
}

export const integrationObject = (name: string): SecurableObject => ({ kind: 'INTEGRATION', name });

/** The integration's owner role: as granted (GRANT OWNERSHIP moves it), else the role that created it. */
export const integrationOwner = (ctx: ExecContext, i: ApiIntegration): string => ctx.access.ownerOf(integrationObject(i.name)) ?? i.owner;

/** An integration the role owns or holds a privilege on; others read as absent, as in Snowflake. */
export function visibleIntegration(ctx: ExecContext, name: string): ApiIntegration | undefined {
  const i = externalsOf(ctx).integration(name);
  return i && canSee(ctx, integrationObject(i.name), integrationOwner(ctx, i)) ? i : undefined;
}

function existingIntegration(ctx: ExecContext, name: string): ApiIntegration {
  const i = visibleIntegration(ctx, name);
  if (!i) throw compilation('NOT_FOUND', `Integration '${name}' does not exist or not authorized.`);
  return i;
}

function checkProperties(opts: Options): void {
  for (const k of opts.keys())
    if (!PROPERTIES.includes(k))
      throw compilation('INVALID_ARGUMENT', `invalid property '${k}' for 'API INTEGRATION'; known: ${PROPERTIES.join(', ')}`);
}

function word(opts: Options, name: string): string {
  const v = opts.get(name);
  if (typeof v !== 'string') throw compilation('INVALID_ARGUMENT', `missing or invalid property '${name}'`);
  return v.toUpperCase();
}

function optionalString(opts: Options, name: string): string | null {
  const v = opts.get(name);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw compilation('INVALID_ARGUMENT', `property '${name}' must be a string literal`);
  return v;
}

/** API_KEY = '<key>' (Snowflake's form) or, recpipe's addition, API_KEY = 'secret:<NAME>' naming a secret already set. */
function apiKeyOf(opts: Options): ApiKeyInput {
  const v = optionalString(opts, 'API_KEY');
  if (v === null) return null;
  const m = /^secret:([A-Za-z][A-Za-z0-9_]*)$/.exec(v);
  return m ? { secret: m[1] } : { literal: v };
}

function prefixes(opts: Options, name: string): string[] {
  const v: OptionValue | undefined = opts.get(name);
  if (v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => {
    if (typeof x !== 'string' || x === '')
      throw compilation('INVALID_ARGUMENT', `property '${name}' takes a list of URL prefix strings, got ${JSON.stringify(x)}`);
    return x;
  });
}
