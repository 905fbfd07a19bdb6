import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import type { OptionValue, Options, Parser } from '../parser.js';
import { statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import type { CreateHead } from './database.js';

/** Snowflake's sizes, keyed by every spelling CREATE WAREHOUSE accepts, valued by how SHOW prints them. */
const SIZES: Record<string, string> = {
  XSMALL: 'X-Small',
  'X-SMALL': 'X-Small',
  SMALL: 'Small',
  MEDIUM: 'Medium',
  LARGE: 'Large',
  XLARGE: 'X-Large',
  'X-LARGE': 'X-Large',
  XXLARGE: '2X-Large',
  X2LARGE: '2X-Large',
  '2X-LARGE': '2X-Large',
  XXXLARGE: '3X-Large',
  X3LARGE: '3X-Large',
  '3X-LARGE': '3X-Large',
  X4LARGE: '4X-Large',
  '4X-LARGE': '4X-Large',
  X5LARGE: '5X-Large',
  '5X-LARGE': '5X-Large',
  X6LARGE: '6X-Large',
  '6X-LARGE': '6X-Large',
};

/** Properties recorded as given; recpipe runs everything on one embedded engine, so none changes execution. */
const PROPERTIES = [
  'WAREHOUSE_SIZE',
  'WAREHOUSE_TYPE',
  'AUTO_SUSPEND',
  'AUTO_RESUME',
  'INITIALLY_SUSPENDED',
  'MIN_CLUSTER_COUNT',
  'MAX_CLUSTER_COUNT',
  'SCALING_POLICY',
  'COMMENT',
  'RESOURCE_MONITOR',
  'ENABLE_QUERY_ACCELERATION',
  'QUERY_ACCELERATION_MAX_SCALE_FACTOR',
  'MAX_CONCURRENCY_LEVEL',
  'STATEMENT_QUEUED_TIMEOUT_IN_SECONDS',
  'STATEMENT_TIMEOUT_IN_SECONDS',
];

/** CREATE [OR REPLACE] WAREHOUSE [IF NOT EXISTS] name [WITH] prop = value …: recorded, and made current. */
export async function createWarehouse(ctx: ExecContext, p: Parser, head: CreateHead): Promise<StatementResult> {
  const name = p.identifier('warehouse name');
  p.acceptWords('WITH');
  const opts = p.options();
  p.expectEnd();
  const existing = await ctx.catalog.warehouse(name);
  if (existing && head.ifNotExists) return statusResult(ctx.statement, `${existing.name} already exists, statement succeeded.`);
  if (existing && !head.orReplace) throw compilation('CONFLICT', `Object '${existing.name}' already exists.`);
  const props = checkProperties(opts);
  await ctx.catalog.putWarehouse(
    {
      name,
      size: size(props.get('WAREHOUSE_SIZE')),
      autoSuspend: props.has('AUTO_SUSPEND') ? nullableNumber('AUTO_SUSPEND', props.get('AUTO_SUSPEND')) : 600,
      autoResume: props.has('AUTO_RESUME') ? bool('AUTO_RESUME', props.get('AUTO_RESUME')) : true,
      options: Object.fromEntries(props),
      owner: ctx.session.role,
      comment: typeof props.get('COMMENT') === 'string' ? (props.get('COMMENT') as string) : null,
    },
    existing !== undefined,
  );
  ctx.session.warehouse = name;
  return statusResult(ctx.statement, `Warehouse ${name} successfully created.`);
}

export async function dropWarehouse(ctx: ExecContext, p: Parser, ifExists: boolean): Promise<StatementResult> {
  const name = p.identifier('warehouse name');
  p.expectEnd();
  const existing = await ctx.catalog.warehouse(name);
  if (!existing && ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${name} already dropped).`);
  if (!existing) throw objectMissing('Warehouse', [name]);
  await ctx.catalog.removeWarehouse(existing.name);
  if (ctx.session.warehouse?.toUpperCase() === existing.name.toUpperCase()) ctx.session.warehouse = null;
  return statusResult(ctx.statement, `${existing.name} successfully dropped.`);
}

function checkProperties(opts: Options): Options {
  for (const key of opts.keys()) {
    if (!PROPERTIES.includes(key))
      throw compilation('INVALID_ARGUMENT', `invalid property '${key}' for CREATE WAREHOUSE; supported: ${PROPERTIES.join(', ')}`);
  }
  return opts;
}

function size(v: OptionValue | undefined): string {
  if (v === undefined) return 'X-Small';
  const s = SIZES[String(v).toUpperCase()];
  if (!s)
    throw compilation(
      'INVALID_ARGUMENT',
      `invalid value '${String(v)}' for WAREHOUSE_SIZE; one of ${[...new Set(Object.values(SIZES))].join(', ')}`,
    );
  return s;
}

function nullableNumber(key: string, v: OptionValue | undefined): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw compilation('INVALID_ARGUMENT', `invalid value '${String(v)}' for ${key}: expected a whole number of seconds or NULL`);
  return v;
}

function bool(key: string, v: OptionValue | undefined): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(TRUE|FALSE)$/i.test(v)) return v.toUpperCase() === 'TRUE';
  throw compilation('INVALID_ARGUMENT', `invalid value '${String(v)}' for ${key}: expected TRUE or FALSE`);
}
