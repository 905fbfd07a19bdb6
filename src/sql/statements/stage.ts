import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecpipeError } from '../../core/errors.js';
import { displayName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { columnsOf, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { pathInStage, readStageRef, stageFiles, type StageRef } from '../stage-paths.js';
import type { StageRecord } from '../stages.js';
import type { CreateHead } from './database.js';
import { requireUserDatabase } from './database.js';
import { formatOptions, type FormatOptions } from './file-format.js';
import { requireRoles } from './roles.js';

/** A stage a statement may read: its directory and the file format it was created with. */
export interface ResolvedStage {
  readonly root: string;
  readonly shown: string;
  readonly fileFormat: FormatOptions | null;
}

const stagesOf = (ctx: ExecContext) => {
  if (!ctx.stages) throw compilation('FAILED_PRECONDITION', 'stages are not available in this engine');
  return ctx.stages;
};

/** The session's user as stages know it: the home's owner is recpipe's built-in ADMIN. */
const userOf = (ctx: ExecContext): string => ctx.session.user ?? 'ADMIN';

/** A stage the session's role may read (owner, or READ/USAGE granted); missing and forbidden look alike, as in Snowflake. */
export async function resolveStage(ctx: ExecContext, ref: StageRef): Promise<ResolvedStage> {
  if (ref.user) return { root: stagesOf(ctx).userDir(userOf(ctx)), shown: ref.text, fileFormat: null };
  const rec = await namedStage(ctx, ref.name);
  const object = { kind: 'STAGE' as const, name: displayName([rec.database, rec.schema, rec.name]) };
  if (
    !ctx.access.hasPrivilege(ctx.session.role, 'READ', object, rec.owner) &&
    !ctx.access.hasPrivilege(ctx.session.role, 'USAGE', object)
  ) {
    throw objectMissing('Stage', [rec.database, rec.schema, rec.name]);
  }
  return { root: rec.dir, shown: ref.text, fileFormat: rec.fileFormat as FormatOptions | null };
}

async function namedStage(ctx: ExecContext, parts: readonly string[]): Promise<StageRecord> {
  const t = resolveTableName(parts, ctx.session, 'COPY');
  const rec = await stagesOf(ctx).get(t.database, t.schema, t.name);
  if (!rec) throw objectMissing('Stage', [t.database, t.schema, t.name]);
  return rec;
}

/**
 * CREATE [OR REPLACE] STAGE [IF NOT EXISTS] name [URL = 'file:///dir/'] [FILE_FORMAT = (…)] [COMMENT = '…'].
 * A stage with a URL opens a host directory to SQL, so it needs ACCOUNTADMIN or CREATE STAGE on the
 * schema granted by ACCOUNTADMIN; an internal stage (a directory of the home) needs the database's
 * owner or CREATE STAGE on the schema.
 */
export async function createStage(ctx: ExecContext, p: Parser, head: CreateHead): Promise<StatementResult> {
  const t = resolveTableName(p.objectName(3, 'stage name'), ctx.session, 'CREATE STAGE');
  const database = requireUserDatabase(ctx, t.database);
  const opts = p.options();
  p.expectEnd();
  for (const key of opts.keys())
    if (!['URL', 'FILE_FORMAT', 'COMMENT'].includes(key))
      throw compilation('INVALID_ARGUMENT', `invalid property '${key}' for CREATE STAGE; supported: URL, FILE_FORMAT, COMMENT`);
  const url = opts.get('URL');
  if (url !== undefined && typeof url !== 'string')
    throw compilation('INVALID_ARGUMENT', `URL must be a string such as 'file:///data/incoming/'`);
  const schemaObject = { kind: 'SCHEMA' as const, name: displayName([database, t.schema]) };
  if (url !== undefined) {
    const granted = ctx.access
      .grants()
      .some(
        (g) =>
          g.objectKind === 'SCHEMA' &&
          g.privilege === 'CREATE STAGE' &&
          g.objectName.toUpperCase() === schemaObject.name.toUpperCase() &&
          ctx.access.effectiveRoles(ctx.session.role).has(g.role.toUpperCase()) &&
          ctx.access.roleHasAny(g.grantedBy, ['ACCOUNTADMIN']),
      );
    if (!granted) requireRoles(ctx, `CREATE STAGE with a URL (it opens a host directory to SQL)`, ['ACCOUNTADMIN']);
  } else if (!ctx.access.hasPrivilege(ctx.session.role, 'CREATE STAGE', schemaObject)) {
    requireRoles(ctx, `CREATE STAGE in ${schemaObject.name}`, [ctx.catalog.database(database)!.owner ?? 'SYSADMIN', 'ACCOUNTADMIN']);
  }
  const stages = stagesOf(ctx);
  const existing = await stages.get(database, t.schema, t.name);
  if (existing && head.ifNotExists) return statusResult(ctx.statement, `${t.name} already exists, statement succeeded.`);
  if (existing && !head.orReplace) throw compilation('CONFLICT', `Object '${displayName([database, t.schema, t.name])}' already exists.`);
  const dir = url === undefined ? stages.internalDir(database, t.schema, t.name) : stageDirectory(url);
  const format = opts.get('FILE_FORMAT');
  const fileFormat = format === undefined ? null : format instanceof Map ? formatOptions(format) : null;
  if (format !== undefined && fileFormat === null) throw compilation('INVALID_ARGUMENT', 'FILE_FORMAT must be ( TYPE = CSV … )');
  const comment = opts.get('COMMENT');
  await stages.put(
    {
      database,
      schema: t.schema,
      name: t.name,
      url: url ?? null,
      dir,
      fileFormat,
      owner: ctx.session.role,
      comment: typeof comment === 'string' ? comment : null,
    },
    existing !== null,
  );
  await ctx.access.recordOwnership({ kind: 'STAGE', name: displayName([database, t.schema, t.name]) }, ctx.session.role);
  return statusResult(ctx.statement, `Stage area ${t.name} successfully created.`);
}

function stageDirectory(url: string): string {
  let dir: string;
  try {
    if (!url.startsWith('file://')) throw new Error('scheme');
    dir = fileURLToPath(url);
  } catch {
    throw compilation('INVALID_ARGUMENT', `stage URL '${url}' is not supported: recpipe stages read 'file:///absolute/dir/'`);
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new RecpipeError('NOT_FOUND', `stage URL '${url}' does not name an existing directory`);
  return dir;
}

/** DROP STAGE [IF EXISTS] name: the owner role or a MANAGE GRANTS role. Files of an external stage are never touched. */
export async function dropStage(ctx: ExecContext, p: Parser, ifExists: boolean): Promise<StatementResult> {
  const t = resolveTableName(p.objectName(3, 'stage name'), ctx.session, 'DROP STAGE');
  p.expectEnd();
  const rec = await stagesOf(ctx).get(t.database, t.schema, t.name);
  if (!rec) {
    if (ifExists) return statusResult(ctx.statement, 'Drop statement executed successfully (stage already dropped).');
    throw objectMissing('Stage', [t.database, t.schema, t.name]);
  }
  requireRoles(ctx, `DROP STAGE ${rec.name}`, [rec.owner, 'ACCOUNTADMIN', 'SECURITYADMIN']);
  await stagesOf(ctx).drop(rec.database, rec.schema, rec.name);
  await ctx.access.objectDropped({ kind: 'STAGE', name: displayName([rec.database, rec.schema, rec.name]) });
  return statusResult(ctx.statement, `${rec.name} successfully dropped.`);
}

const LIST_COLUMNS = columnsOf('name', 'size:NUMBER', 'md5', 'last_modified');

/** LIST | LS @stage[/path] [PATTERN = 'regex']: the stage's files, as Snowflake lists them. */
export async function listStage(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  p.expectOneOf(['LIST', 'LS']);
  const ref = readStageRef(p, ctx.statement);
  if (!ref) p.fail('a stage reference such as @my_stage or @~');
  const opts = p.options();
  p.expectEnd();
  const pattern = opts.get('PATTERN');
  const re = typeof pattern === 'string' ? new RegExp(`^(?:${pattern})$`) : null;
  const stage = await resolveStage(ctx, ref!);
  const files = stageFiles(stage.root, ref!.path, ref!.text, (f) => (re ? re.test(f) : true));
  const prefix = ref!.user ? '~' : ref!.name[ref!.name.length - 1].toLowerCase();
  return queryResult(
    ctx.statement,
    LIST_COLUMNS,
    files.map((f) => [
      `${prefix}/${f.relative}`,
      f.size,
      createHash('md5').update(readFileSync(f.path)).digest('hex'),
      f.modified.toUTCString(),
    ]),
  );
}

/**
 * PUT 'file:///path' @~[/dir] | @stage[/dir]: copies a file of this machine into an internal stage.
 * It reads a path of the server's machine, so only the home's owner may run it as SQL; other
 * clients upload through the CLI (`put` in recpipe sql sends the file's bytes).
 */
export async function putFile(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  p.expectWords('PUT');
  const t = p.peek();
  if (t?.kind !== 'string' && t?.kind !== 'word') p.fail("a file URL such as 'file:///data/ratings.csv'");
  const source = putSource(ctx.statement.text, t!.start);
  while (!p.atEnd() && p.peek()!.start < source.end) p.seek(p.position + 1);
  const ref = readStageRef(p, ctx.statement);
  if (!ref) p.fail('a stage reference such as @~ or @my_stage');
  p.options();
  p.expectEnd();
  if (ctx.session.user !== undefined) {
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `PUT reads a file of the server's machine, which only the home's owner may do; upload with the recpipe CLI (recpipe sql runs PUT by sending the file) or ask the owner`,
    );
  }
  return storeInStage(ctx, ref!, basename(source.path), (target) => copyFileSync(source.path, target));
}

/** Writes one file into an internal stage (the user stage or a named stage without URL). */
export async function storeInStage(
  ctx: ExecContext,
  ref: StageRef,
  name: string,
  write: (target: string) => void,
): Promise<StatementResult> {
  const stage = await resolveStage(ctx, ref);
  if (!ref.user) {
    const rec = await namedStage(ctx, ref.name);
    if (rec.url !== null)
      throw compilation('INVALID_ARGUMENT', `PUT writes to internal stages only; ${ref.text} is an external stage (${rec.url})`);
  }
  if (!/^[^/\\]+$/.test(name) || name === '..' || name === '.') throw compilation('INVALID_ARGUMENT', `bad file name '${name}'`);
  const dir = putDirectory(stage.root, ref.path, ref.text);
  const target = join(dir, name);
  write(target);
  const size = statSync(target).size;
  return queryResult(ctx.statement, columnsOf('source', 'target', 'source_size:NUMBER', 'target_size:NUMBER', 'status'), [
    [name, name, size, size, 'UPLOADED'],
  ]);
}

/** What a driver's PUT or GET asks for, checked against the session's privileges; the driver moves the bytes itself. */
export type TransferPlan =
  | {
      readonly kind: 'put';
      /** The client's path (the driver's machine, not ours), as written after `file://`. */
      readonly source: string;
      /** The stage and directory the file goes to (`@~/dir`), for the upload that follows. */
      readonly target: string;
      readonly autoCompress: boolean;
      readonly sourceCompression: string;
      /** OVERWRITE = TRUE: replace a file of the same name (Snowflake's default, FALSE, skips it). */
      readonly overwrite: boolean;
      /** The stage's directory and the path in it, where `stagedFile` looks for a file of the same name. */
      readonly stageRoot: string;
      readonly stagePath: string;
    }
  | { readonly kind: 'get'; readonly localDirectory: string; readonly files: readonly { name: string; path: string }[] };

/**
 * PUT file://path @stage[/dir] [AUTO_COMPRESS = …] [SOURCE_COMPRESSION = …] [OVERWRITE = …] [PARALLEL = n] and
 * GET @stage[/path] file://dir/ [PATTERN = '…'] [PARALLEL = n], as Snowflake's drivers send them: the stage must
 * exist and be readable by the role (PUT also needs an internal one); the file paths are the client's.
 */
export async function transferPlan(ctx: ExecContext): Promise<TransferPlan> {
  const p = new Parser(ctx.statement);
  const verb = p.expectOneOf(['PUT', 'GET']);
  if (verb === 'PUT') {
    const source = clientPath(ctx.statement.text, p);
    const ref = readStageRef(p, ctx.statement) ?? p.fail('a stage reference such as @~ or @my_stage');
    const opts = p.options();
    p.expectEnd();
    const stage = await resolveStage(ctx, ref);
    if (!ref.user) {
      const rec = await namedStage(ctx, ref.name);
      if (rec.url !== null)
        throw compilation('INVALID_ARGUMENT', `PUT writes to internal stages only; ${ref.text} is an external stage (${rec.url})`);
    }
    return {
      kind: 'put',
      source,
      target: ref.text,
      autoCompress: opts.get('AUTO_COMPRESS') !== false,
      sourceCompression: String(opts.get('SOURCE_COMPRESSION') ?? 'auto_detect').toLowerCase(),
      overwrite: opts.get('OVERWRITE') === true,
      stageRoot: stage.root,
      stagePath: ref.path,
    };
  }
  const ref = readStageRef(p, ctx.statement) ?? p.fail('a stage reference such as @~ or @my_stage');
  const localDirectory = clientPath(ctx.statement.text, p);
  const opts = p.options();
  p.expectEnd();
  const pattern = opts.get('PATTERN');
  const re = typeof pattern === 'string' ? new RegExp(`^(?:${pattern})$`) : null;
  const stage = await resolveStage(ctx, ref);
  const files = stageFiles(stage.root, ref.path, ref.text, (f) => (re ? re.test(f) : true));
  return { kind: 'get', localDirectory, files: files.map((f) => ({ name: f.relative, path: f.path })) };
}

/** Whether the stage directory a PUT plan names already holds a file `name` (a name with a path in it never matches). */
export function stagedFile(
  plan: { readonly stageRoot: string; readonly stagePath: string; readonly target: string },
  name: string,
): boolean {
  if (!/^[^/\\]+$/.test(name) || name === '..' || name === '.') return false;
  try {
    return statSync(pathInStage(plan.stageRoot, join(plan.stagePath, name), plan.target)).isFile();
  } catch {
    return false;
  }
}

/** A `file://…` argument (quoted or not) at the parser's position: the path as the client wrote it, which need not exist here. */
function clientPath(text: string, p: Parser): string {
  const t = p.peek();
  if (t?.kind !== 'string' && t?.kind !== 'word') p.fail("a file URL such as 'file:///data/ratings.csv'");
  const m = /^'(file:\/\/[^']+)'|^(file:\/\/[^\s;]+)/i.exec(text.slice(t!.start));
  if (!m) p.fail("a file URL such as 'file:///data/ratings.csv'");
  const end = t!.start + m![0].length;
  while (!p.atEnd() && p.peek()!.start < end) p.seek(p.position + 1);
  return (m![1] ?? m![2]).slice('file://'.length);
}

/** A directory inside the stage for PUT, created when missing; `..`, absolute paths and links out of the stage are refused. */
function putDirectory(root: string, path: string, shown: string): string {
  if (path === '') return root;
  if (!path.split(/[\\/]+/).includes('..') && !isAbsolute(path)) mkdirSync(join(root, path), { recursive: true, mode: 0o700 });
  return pathInStage(root, path, shown);
}

function putSource(text: string, start: number): { path: string; end: number } {
  const m = /^'([^']*)'|^(file:\/\/\S+)/.exec(text.slice(start));
  const raw = m?.[1] ?? m?.[2];
  if (!raw) throw compilation('INVALID_ARGUMENT', "PUT needs a file URL such as 'file:///data/ratings.csv'");
  let path: string;
  try {
    path = fileURLToPath(raw);
  } catch {
    throw compilation('INVALID_ARGUMENT', `PUT source '${raw}' must be a file:// URL`);
  }
  return { path, end: start + m![0].length };
}
