import { RecpipeError } from '../../core/errors.js';
import type { SecurableObject } from '../../access/index.js';
import type { TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser, type OptionValue, type Options } from '../parser.js';
import { columnsOf, likeMatcher, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import type { TaskChange, TaskControl, TaskDefinition, TaskProperties } from '../task-control.js';
import { parseScope, defaultScope, inScope } from './show.js';
import { displayName } from '../../warehouse/index.js';
import { canSee, requireCreate } from './privileges.js';

/**
 * CREATE [OR REPLACE] TASK [IF NOT EXISTS] name [prop = value …] [AFTER a [, b]] [WHEN expr] AS body;
 * ALTER TASK [IF EXISTS] name RESUME | SUSPEND | SET … | UNSET … | MODIFY AS … | MODIFY WHEN … |
 * REMOVE WHEN | ADD AFTER … | REMOVE AFTER …; EXECUTE TASK name; DROP TASK [IF EXISTS] name;
 * SHOW TASKS [LIKE '…'] [IN …]; DESCRIBE TASK name. Null when the statement is not about tasks.
 */
export function taskStatement(ctx: ExecContext): Promise<StatementResult> | null {
  const p = new Parser(ctx.statement);
  if (p.acceptWords('CREATE')) {
    const orReplace = p.acceptWords('OR', 'REPLACE');
    return p.acceptWords('TASK') ? createTask(ctx, p, orReplace) : null;
  }
  if (p.acceptWords('ALTER', 'TASK')) return alterTask(ctx, p);
  if (p.acceptWords('EXECUTE', 'TASK')) {
    const name = taskName(ctx, p);
    p.expectEnd();
    requireTaskPrivilege(ctx, name, 'operate');
    return control(ctx)
      .execute(name)
      .then((m) => statusResult(ctx.statement, m));
  }
  if (p.acceptWords('DROP', 'TASK')) {
    const ifExists = p.acceptWords('IF', 'EXISTS');
    const name = taskName(ctx, p);
    p.expectEnd();
    requireTaskPrivilege(ctx, name, 'own');
    const task = control(ctx).get(name);
    return control(ctx)
      .drop(name, ifExists)
      .then(async (m) => {
        if (task) await ctx.access.objectDropped(taskObject(task));
        return statusResult(ctx.statement, m);
      });
  }
  if (p.acceptWords('SHOW', 'TASKS') || p.acceptWords('SHOW', 'TERSE', 'TASKS')) return showTasks(ctx, p);
  if (p.acceptWords('DESCRIBE', 'TASK') || p.acceptWords('DESC', 'TASK')) {
    const name = taskName(ctx, p);
    p.expectEnd();
    requireTaskPrivilege(ctx, name, 'see');
    const task = control(ctx).get(name);
    if (!task) throw compilation('NOT_FOUND', `Task '${name.database}.${name.schema}.${name.name}' does not exist or not authorized.`);
    return Promise.resolve(queryResult(ctx.statement, TASK_COLUMNS, [taskRow(task)]));
  }
  return null;
}

/**
 * Snowflake's task privileges: seeing a task takes any privilege on it; resuming, suspending or
 * executing it takes OPERATE; changing or dropping it takes OWNERSHIP. The owner role (and the roles
 * above it) hold them all. A task the role holds nothing on does not exist for it.
 */
function requireTaskPrivilege(ctx: ExecContext, name: TableName, need: 'see' | 'operate' | 'own'): void {
  const task = control(ctx).get(name);
  if (!task) return; // the scheduler answers for a missing task (IF EXISTS included)
  const role = ctx.session.role;
  if (ctx.access.roleHasAny(role, [task.owner])) return;
  const shown = displayName([task.database, task.schema, task.name]);
  const held = ctx.access.privilegesOn(role, { kind: 'TASK', name: shown });
  if (held.has('OWNERSHIP') || held.has('ALL') || (need === 'operate' && held.has('OPERATE')) || (need === 'see' && held.size > 0)) return;
  if (held.size === 0) throw compilation('NOT_FOUND', `Task '${shown}' does not exist or not authorized.`);
  throw new RecpipeError(
    'PERMISSION_DENIED',
    `SQL access control error: Insufficient privileges to operate on task '${task.name}' (${need === 'own' ? 'OWNERSHIP' : 'OPERATE'} is needed; current role ${role})`,
  );
}

const taskObject = (t: TaskDefinition): SecurableObject => ({ kind: 'TASK', name: displayName([t.database, t.schema, t.name]) });

/** Whether the session's role may see the task (it owns it or holds a privilege on it). */
export const canSeeTask = (ctx: ExecContext, t: TaskDefinition): boolean => canSee(ctx, taskObject(t), t.owner);

function control(ctx: ExecContext): TaskControl {
  if (!ctx.tasks) throw new RecpipeError('FAILED_PRECONDITION', 'tasks are not available in this recpipe context');
  return ctx.tasks;
}

const taskName = (ctx: ExecContext, p: Parser): TableName => resolveTableName(p.objectName(3, 'task name'), ctx.session, 'TASK');

async function createTask(ctx: ExecContext, p: Parser, orReplace: boolean): Promise<StatementResult> {
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  if (orReplace && ifNotExists) throw compilation('INVALID_ARGUMENT', 'OR REPLACE and IF NOT EXISTS are incompatible.');
  const name = taskName(ctx, p);
  requireCreate(ctx, [name.database, name.schema, name.name], 'TASK');
  if (orReplace) requireTaskPrivilege(ctx, name, 'own');
  const opts = p.options();
  const finalize = opts.get('FINALIZE');
  opts.delete('FINALIZE');
  const properties = taskProperties(opts);
  const predecessors = p.acceptWords('AFTER') ? nameList(ctx, p) : [];
  const condition = p.acceptWords('WHEN') ? expressionUntilAs(p) : null;
  const definition = body(p);
  const spec = {
    name,
    properties,
    predecessors,
    finalize: finalize === undefined ? null : resolveTableName([optionName(finalize, 'FINALIZE')], ctx.session, 'CREATE TASK'),
    condition,
    definition,
  };
  return statusResult(ctx.statement, await control(ctx).create(spec, ctx.session.role, { orReplace, ifNotExists }));
}

async function alterTask(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const name = taskName(ctx, p);
  const operating = p.peek()?.value === 'RESUME' || p.peek()?.value === 'SUSPEND';
  requireTaskPrivilege(ctx, name, operating ? 'operate' : 'own');
  let change: TaskChange;
  if (p.acceptWords('RESUME')) change = { kind: 'resume' };
  else if (p.acceptWords('SUSPEND')) change = { kind: 'suspend' };
  else if (p.acceptWords('SET')) change = { kind: 'set', properties: taskProperties(p.options()) };
  else if (p.acceptWords('UNSET')) change = { kind: 'unset', names: unsetNames(p) };
  else if (p.acceptWords('MODIFY', 'AS')) change = { kind: 'modify-as', definition: rest(p) };
  else if (p.acceptWords('MODIFY', 'WHEN')) change = { kind: 'modify-when', condition: rest(p) };
  else if (p.acceptWords('REMOVE', 'WHEN')) change = { kind: 'modify-when', condition: null };
  else if (p.acceptWords('ADD', 'AFTER')) change = { kind: 'add-after', tasks: nameList(ctx, p) };
  else if (p.acceptWords('REMOVE', 'AFTER')) change = { kind: 'remove-after', tasks: nameList(ctx, p) };
  else return p.fail('RESUME | SUSPEND | SET | UNSET | MODIFY AS | MODIFY WHEN | REMOVE WHEN | ADD AFTER | REMOVE AFTER');
  if (!p.atEnd() && change.kind !== 'modify-as' && change.kind !== 'modify-when') p.expectEnd();
  return statusResult(ctx.statement, await control(ctx).alter(name, change, ifExists));
}

function nameList(ctx: ExecContext, p: Parser): TableName[] {
  const names = [taskName(ctx, p)];
  while (p.acceptPunct(',')) names.push(taskName(ctx, p));
  return names;
}

/** The WHEN expression's text, up to the AS at parenthesis depth 0 (CAST(x AS …) stays inside). */
function expressionUntilAs(p: Parser): string {
  const start = p.peek();
  let depth = 0;
  while (!p.atEnd()) {
    const t = p.peek()!;
    if (t.kind === 'punct' && t.value === '(') depth++;
    if (t.kind === 'punct' && t.value === ')') depth--;
    if (depth === 0 && t.kind === 'word' && t.value === 'AS' && t !== start) return p.statement.text.slice(start!.start, t.start).trim();
    p.seek(p.position + 1);
  }
  return p.fail('AS <task body>');
}

function body(p: Parser): string {
  p.expectWords('AS');
  return rest(p);
}

/** The statement's remaining text as written (a task body or WHEN expression). */
function rest(p: Parser): string {
  const first = p.peek();
  if (!first) return p.fail('a SQL statement');
  const text = p.statement.text.slice(first.start).trim();
  p.seek(p.tokens.length);
  return text;
}

const PROPERTY_NAMES: Readonly<Record<string, keyof TaskProperties | null>> = {
  WAREHOUSE: 'warehouse',
  SCHEDULE: 'schedule',
  ALLOW_OVERLAPPING_EXECUTION: 'allowOverlapping',
  SUSPEND_TASK_AFTER_NUM_FAILURES: 'suspendAfterFailures',
  TASK_AUTO_RETRY_ATTEMPTS: 'retryAttempts',
  USER_TASK_TIMEOUT_MS: 'timeoutMs',
  CONFIG: 'config',
  COMMENT: 'comment',
  // Serverless sizing has no meaning for recpipe's one embedded warehouse; accepted and ignored.
  USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE: null,
};

function taskProperties(opts: Options): Partial<TaskProperties> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of opts) {
    const prop = PROPERTY_NAMES[name];
    if (prop === undefined)
      throw compilation(
        'INVALID_ARGUMENT',
        `invalid property '${name}' for TASK; known: ${[...Object.keys(PROPERTY_NAMES), 'FINALIZE'].join(', ')}`,
      );
    if (prop === null) continue;
    out[prop] = propertyValue(name, prop, value);
  }
  return out as Partial<TaskProperties>;
}

function propertyValue(name: string, prop: keyof TaskProperties, v: OptionValue): unknown {
  switch (prop) {
    case 'allowOverlapping':
      if (typeof v !== 'boolean') throw badValue(name, v, 'TRUE or FALSE');
      return v;
    case 'suspendAfterFailures':
    case 'retryAttempts':
    case 'timeoutMs':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw badValue(name, v, 'a non-negative integer');
      return v;
    case 'config':
      if (typeof v !== 'string') throw badValue(name, v, 'a JSON object as a string, e.g. $${"holdout": 0.1}$$');
      try {
        const parsed: unknown = JSON.parse(v);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      } catch {
        throw badValue(name, v, 'a JSON object');
      }
      return v;
    case 'warehouse':
      return optionName(v, name);
    default:
      if (typeof v !== 'string') throw badValue(name, v, 'a string');
      return v;
  }
}

function optionName(v: OptionValue, name: string): string {
  if (typeof v !== 'string') throw badValue(name, v, 'a name');
  return v;
}

const badValue = (name: string, v: OptionValue, expected: string): RecpipeError =>
  compilation('INVALID_ARGUMENT', `invalid value ${JSON.stringify(v)} for property '${name}'; expected ${expected}`);

function unsetNames(p: Parser): (keyof TaskProperties)[] {
  const names: (keyof TaskProperties)[] = [];
  do {
    const word = p.identifier('property name');
    const prop = PROPERTY_NAMES[word];
    if (!prop)
      throw compilation(
        'INVALID_ARGUMENT',
        `invalid property '${word}' for ALTER TASK UNSET; known: ${Object.keys(PROPERTY_NAMES).join(', ')}`,
      );
    names.push(prop);
  } while (p.acceptPunct(','));
  p.expectEnd();
  return names;
}

const TASK_COLUMNS = columnsOf(
  'created_on:TIMESTAMP_LTZ',
  'name',
  'id',
  'database_name',
  'schema_name',
  'owner',
  'comment',
  'warehouse',
  'schedule',
  'predecessors:VARIANT',
  'state',
  'definition',
  'condition',
  'allow_overlapping_execution',
  'error_integration',
  'last_committed_on:TIMESTAMP_LTZ',
  'last_suspended_on:TIMESTAMP_LTZ',
  'owner_role_type',
  'config',
  'budget',
  'task_relations:VARIANT',
  'last_suspended_reason',
  'suspend_task_after_num_failures:NUMBER',
  'task_auto_retry_attempts:NUMBER',
  'user_task_timeout_ms:NUMBER',
);

function taskRow(t: TaskDefinition): unknown[] {
  const relations = { Predecessors: t.predecessors, ...(t.finalize ? { FinalizedRootTask: t.finalize } : {}) };
  return [
    t.createdOn,
    t.name,
    t.id,
    t.database,
    t.schema,
    t.owner,
    t.comment ?? '',
    t.warehouse,
    t.schedule,
    JSON.stringify(t.predecessors),
    t.state,
    t.definition,
    t.condition,
    String(t.allowOverlapping),
    null,
    t.lastCommittedOn,
    t.lastSuspendedOn,
    'ROLE',
    t.config,
    null,
    JSON.stringify(relations),
    t.lastSuspendedReason,
    t.suspendAfterFailures,
    t.retryAttempts,
    t.timeoutMs,
  ];
}

async function showTasks(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const like = p.acceptWords('LIKE') ? p.string('LIKE pattern') : null;
  const scope = p.acceptWords('IN') ? await parseScope(ctx, p) : defaultScope(ctx, 'TASKS');
  p.expectEnd();
  const matches = likeMatcher(like);
  const rows = control(ctx)
    .list()
    .filter((t) => matches(t.name) && inScope(scope, t) && canSeeTask(ctx, t))
    .map(taskRow);
  return queryResult(ctx.statement, TASK_COLUMNS, rows);
}
