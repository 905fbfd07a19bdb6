import { signatureOf, type Compression, type ExternalFunction } from '../../external/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { parseType, snowflakeTypeName } from '../types.js';
import {
  alterApiIntegration,
  createApiIntegration,
  describeIntegration,
  dropIntegration,
  externalsOf,
  integrationObject,
  showIntegrations,
  visibleIntegration,
} from './api-integration.js';
import { requireCreate, requireOwnership } from './privileges.js';

/**
 * CREATE [OR REPLACE] [SECURE] EXTERNAL FUNCTION name(arg type, …) RETURNS VARIANT [[NOT] NULL]
 *   [RETURNS NULL ON NULL INPUT | STRICT | CALLED ON NULL INPUT] [VOLATILE | IMMUTABLE] [COMMENT = '…']
 *   API_INTEGRATION = name [HEADERS = ('k' = 'v', …)] [MAX_BATCH_ROWS = n] [COMPRESSION = AUTO|NONE|GZIP] AS 'url'
 */
export async function createExternalFunction(ctx: ExecContext, p: Parser, orReplace: boolean): Promise<StatementResult> {
  const externals = externalsOf(ctx);
  const parts = p.objectName(3, 'function name');
  // Functions live in schemas and resolve like tables.
  const { database, schema, name } = resolveTableName(parts, ctx.session, 'CREATE EXTERNAL FUNCTION');
  const { argNames, argTypes } = parameters(p);
  p.expectWords('RETURNS');
  if (!p.acceptWords('VARIANT')) return p.fail('VARIANT (recpipe external functions return VARIANT)');
  const returnsNotNull = p.acceptWords('NOT', 'NULL');
  if (!returnsNotNull) p.acceptWords('NULL');
  const clauses = functionClauses(p);
  requireCreate(ctx, [database, schema, name], 'FUNCTION');
  // As in Snowflake, the creating role needs USAGE on the integration (owning it gives that).
  const integration = visibleIntegration(ctx, clauses.integration!);
  if (!integration || !ctx.access.hasPrivilege(ctx.session.role, 'USAGE', integrationObject(integration.name), integration.owner))
    throw compilation('NOT_FOUND', `Integration '${clauses.integration}' does not exist or not authorized.`);
  const existing = externals.function(database, schema, name, argTypes.length);
  if (existing && !orReplace) throw compilation('CONFLICT', `Function '${signatureOf(existing)}' already exists.`);
  if (existing) requireOwnership(ctx, { kind: 'FUNCTION', name: signatureOf(existing) }, existing.owner, 'function');
  if (existing && existing.argTypes.join() !== argTypes.join()) {
    throw compilation(
      'CONFLICT',
      `Function '${signatureOf(existing)}' already exists; recpipe tells external functions apart by argument count, so drop it before creating ${name}(${argTypes.join(', ')}).`,
    );
  }
  const fn: ExternalFunction = { database, schema, name, argNames, argTypes, returnsNotNull, ...clauses, owner: ctx.session.role };
  await externals.putFunction(fn, existing !== undefined);
  // The creating role owns the function, which gives it USAGE (calls check it) and the right to GRANT it.
  await ctx.access.recordOwnership({ kind: 'FUNCTION', name: signatureOf(fn) }, ctx.session.role);
  return statusResult(ctx.statement, `Function ${name.toUpperCase()} successfully created.`);
}

function parameters(p: Parser): { argNames: string[]; argTypes: string[] } {
  const argNames: string[] = [];
  const argTypes: string[] = [];
  p.expectPunct('(');
  if (p.acceptPunct(')')) return { argNames, argTypes };
  do {
    argNames.push(p.identifier('argument name'));
    argTypes.push(typeAt(p));
  } while (p.acceptPunct(','));
  p.expectPunct(')');
  return { argNames, argTypes };
}

/** A Snowflake type, canonical (STRING and TEXT read as VARCHAR, INT as NUMBER) so signatures compare. */
function typeAt(p: Parser): string {
  if (p.acceptWords('VARIANT')) return 'VARIANT';
  if (p.acceptOneOf(['OBJECT', 'ARRAY'])) return p.tokens[p.position - 1].value;
  const t = parseType(p.tokens, p.position);
  p.seek(t.next);
  return snowflakeTypeName(t.duckdb);
}

type Clauses = Pick<ExternalFunction, 'nullOnNullInput' | 'integration' | 'url' | 'headers' | 'maxBatchRows' | 'compression' | 'comment'>;

function functionClauses(p: Parser): Clauses {
  let nullOnNullInput = false;
  let integration: string | null = null;
  let headers: Record<string, string> = {};
  let maxBatchRows: number | null = null;
  let compression: Compression = 'AUTO';
  let comment: string | null = null;
  for (;;) {
    if (p.acceptWords('RETURNS', 'NULL', 'ON', 'NULL', 'INPUT') || p.acceptWords('STRICT')) nullOnNullInput = true;
    else if (p.acceptWords('CALLED', 'ON', 'NULL', 'INPUT')) nullOnNullInput = false;
    else if (p.acceptOneOf(['VOLATILE', 'IMMUTABLE'])) continue;
    else if (p.acceptWords('API_INTEGRATION')) integration = afterEquals(p, () => p.identifier('integration name'));
    else if (p.acceptWords('HEADERS')) headers = afterEquals(p, () => headerList(p));
    else if (p.acceptWords('CONTEXT_HEADERS'))
      p.fail('a supported clause (recpipe always sends sf-context-current-database/schema; CONTEXT_HEADERS is not supported)');
    else if (p.acceptWords('MAX_BATCH_ROWS')) maxBatchRows = afterEquals(p, () => batchRows(p));
    else if (p.acceptWords('COMPRESSION'))
      compression = afterEquals(p, () => p.expectOneOf(['AUTO', 'NONE', 'GZIP', 'DEFLATE']) as Compression);
    else if (p.acceptWords('COMMENT')) comment = afterEquals(p, () => p.string('comment'));
    else break;
  }
  if (compression === ('DEFLATE' as Compression)) p.failAt(p.position - 1, 'AUTO, NONE or GZIP (recpipe does not send DEFLATE)');
  p.expectWords('AS');
  const url = p.string("the service URL ('https://…')");
  p.expectEnd();
  if (integration === null)
    throw compilation('INVALID_ARGUMENT', 'missing API_INTEGRATION = <integration name> in CREATE EXTERNAL FUNCTION');
  return { nullOnNullInput, integration, url, headers, maxBatchRows, compression, comment };
}

function afterEquals<T>(p: Parser, read: () => T): T {
  p.expectPunct('=');
  return read();
}

function batchRows(p: Parser): number {
  const v = p.value();
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    p.failAt(p.position - 1, 'a positive whole number of rows for MAX_BATCH_ROWS');
  return v as number;
}

/** HEADERS = ('name' = 'value', …). */
function headerList(p: Parser): Record<string, string> {
  const out: Record<string, string> = {};
  p.expectPunct('(');
  if (p.acceptPunct(')')) return out;
  do {
    const k = p.string('header name');
    if (!/^[A-Za-z0-9-]+$/.test(k)) p.failAt(p.position - 1, 'a header name of letters, digits and dashes');
    p.expectPunct('=');
    out[k.toLowerCase()] = p.string('header value');
  } while (p.acceptPunct(','));
  p.expectPunct(')');
  return out;
}

/** `name(type, …)` as DESCRIBE FUNCTION and DROP FUNCTION take it, resolved in the session. */
function signatureAt(ctx: ExecContext, p: Parser): ExternalFunction {
  const parts = p.objectName(3, 'function name');
  const { database, schema, name } = resolveTableName(parts, ctx.session, 'FUNCTION');
  const types: string[] = [];
  p.expectPunct('(');
  if (!p.acceptPunct(')')) {
    do types.push(typeAt(p));
    while (p.acceptPunct(','));
    p.expectPunct(')');
  }
  p.expectEnd();
  const fn = externalsOf(ctx).function(database, schema, name, types.length);
  if (!fn || fn.argTypes.join() !== types.join())
    throw compilation('NOT_FOUND', `Function '${database}.${schema}.${name}(${types.join(', ')})' does not exist or not authorized.`);
  return fn;
}

function describeFunction(ctx: ExecContext, p: Parser): StatementResult {
  const fn = signatureAt(ctx, p);
  const rows: unknown[][] = [
    ['signature', `(${fn.argNames.map((n, i) => `${n} ${fn.argTypes[i]}`).join(', ')})`],
    ['returns', fn.returnsNotNull ? 'VARIANT NOT NULL' : 'VARIANT'],
    ['null handling', fn.nullOnNullInput ? 'RETURNS NULL ON NULL INPUT' : 'CALLED ON NULL INPUT'],
    ['volatility', 'VOLATILE'],
    ['body', fn.url],
    ['headers', JSON.stringify(fn.headers)],
    ['context_headers', null],
    ['max_batch_rows', fn.maxBatchRows === null ? 'not set' : String(fn.maxBatchRows)],
    ['compression', fn.compression],
    ['api_integration', fn.integration],
  ];
  return queryResult(ctx.statement, columnsOf('property', 'value'), rows);
}

async function dropFunction(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const at = p.position;
  const ifExists = p.acceptWords('IF', 'EXISTS');
  try {
    const fn = signatureAt(ctx, p);
    requireOwnership(ctx, { kind: 'FUNCTION', name: signatureOf(fn) }, fn.owner, 'function');
    await externalsOf(ctx).dropFunction(fn);
    await ctx.access.objectDropped({ kind: 'FUNCTION', name: signatureOf(fn) });
    return statusResult(ctx.statement, `${fn.name.toUpperCase()} successfully dropped.`);
  } catch (e) {
    if (!ifExists || (e as { code?: string }).code !== 'NOT_FOUND' || p.position === at) throw e;
    return statusResult(ctx.statement, 'Drop statement executed successfully (function already dropped).');
  }
}

/** SHOW EXTERNAL FUNCTIONS [LIKE '…']: the columns of Snowflake's SHOW FUNCTIONS. */
function showExternalFunctions(ctx: ExecContext, p: Parser): StatementResult {
  const like = p.acceptWords('LIKE') ? p.string('LIKE pattern') : null;
  p.expectEnd();
  const matches = likeMatcher(like);
  const rows = externalsOf(ctx)
    .functions()
    .filter((f) => matches(f.name))
    .map((f) => [
      f.createdOn ?? null,
      f.name,
      f.schema,
      'N',
      'N',
      'N',
      f.argTypes.length,
      f.argTypes.length,
      `${f.name}(${f.argTypes.join(', ')}) RETURN VARIANT`,
      f.comment ?? 'user-defined function',
      f.database,
      'N',
      'N',
      'N',
      'Y',
      'EXTERNAL',
    ]);
  return queryResult(
    ctx.statement,
    columnsOf(
      'created_on:TIMESTAMP_LTZ',
      'name',
      'schema_name',
      'is_builtin',
      'is_aggregate',
      'is_ansi',
      'min_num_arguments:NUMBER',
      'max_num_arguments:NUMBER',
      'arguments',
      'description',
      'catalog_name',
      'is_table_function',
      'valid_for_clustering',
      'is_secure',
      'is_external_function',
      'language',
    ),
    rows,
  );
}

/**
 * The statements of API integrations and external functions, or null when `ctx.statement` is none
 * of them (the executor then dispatches as before). Covers CREATE … API INTEGRATION | EXTERNAL
 * FUNCTION, DESCRIBE INTEGRATION | FUNCTION, SHOW [API] INTEGRATIONS | EXTERNAL FUNCTIONS and
 * DROP [API] INTEGRATION | FUNCTION.
 */
export function externalStatement(ctx: ExecContext): Promise<StatementResult> | null {
  const p = new Parser(ctx.statement);
  if (p.acceptWords('CREATE')) {
    const orReplace = p.acceptWords('OR', 'REPLACE');
    if (p.acceptWords('API', 'INTEGRATION')) return createApiIntegration(ctx, p, orReplace);
    if (p.acceptWords('EXTERNAL', 'FUNCTION') || p.acceptWords('SECURE', 'EXTERNAL', 'FUNCTION'))
      return createExternalFunction(ctx, p, orReplace);
    return null;
  }
  if (p.acceptOneOf(['DESCRIBE', 'DESC'])) {
    if (p.acceptWords('INTEGRATION') || p.acceptWords('API', 'INTEGRATION')) return Promise.resolve(describeIntegration(ctx, p));
    if (p.acceptWords('FUNCTION') || p.acceptWords('EXTERNAL', 'FUNCTION')) return Promise.resolve(describeFunction(ctx, p));
    return null;
  }
  if (p.acceptWords('SHOW')) {
    if (p.acceptWords('INTEGRATIONS') || p.acceptWords('API', 'INTEGRATIONS')) return Promise.resolve(showIntegrations(ctx, p));
    if (p.acceptWords('EXTERNAL', 'FUNCTIONS')) return Promise.resolve(showExternalFunctions(ctx, p));
    return null;
  }
  if (p.acceptWords('ALTER')) {
    if (p.acceptWords('INTEGRATION') || p.acceptWords('API', 'INTEGRATION')) return alterApiIntegration(ctx, p);
    return null;
  }
  if (p.acceptWords('DROP')) {
    if (p.acceptWords('INTEGRATION') || p.acceptWords('API', 'INTEGRATION')) return dropIntegration(ctx, p);
    if (p.acceptWords('FUNCTION') || p.acceptWords('EXTERNAL', 'FUNCTION')) return dropFunction(ctx, p);
  }
  return null;
}
