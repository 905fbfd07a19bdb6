import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RecpipeError } from '../core/errors.js';
import { compilation } from './errors.js';
import { parseObjectName } from './identifiers.js';
import type { Parser } from './parser.js';
import type { Statement } from './tokens.js';

/** `@~[/path]` (the user stage) or `@[db.][schema.]name[/path]`. */
export interface StageRef {
  readonly user: boolean;
  /** The stage's name parts (empty for the user stage). */
  readonly name: string[];
  /** The path inside the stage, without a leading '/', '' for the whole stage. */
  readonly path: string;
  readonly text: string;
}

export interface StageFile {
  readonly path: string;
  /** The path inside the stage (what LIST shows and FILES = (…) names). */
  readonly relative: string;
  readonly size: number;
  readonly modified: Date;
}

const REF = /^@(~|(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)){0,2})(\/[^\s;),]*)?/;

/** Reads a stage reference at the parser's position (the tokenizer splits `@s/a.csv` into pieces, so the raw text decides). */
export function readStageRef(p: Parser, st: Statement): StageRef | null {
  const at = p.peek();
  if (at?.kind !== 'op' || at.value !== '@') return null;
  const m = REF.exec(st.text.slice(at.start));
  if (!m)
    throw compilation(
      'INVALID_ARGUMENT',
      `bad stage reference at '${st.text.slice(at.start, at.start + 40)}': expected @~[/path] or @stage_name[/path]`,
    );
  const end = at.start + m[0].length;
  while (!p.atEnd() && p.peek()!.start < end) p.seek(p.position + 1);
  const path = (m[2] ?? '').replace(/^\/+/, '');
  return { user: m[1] === '~', name: m[1] === '~' ? [] : parseObjectName(m[1]), path, text: m[0] };
}

const stageEscape = (ref: string): RecpipeError =>
  new RecpipeError('PERMISSION_DENIED', `path '${ref}' leaves its stage; paths must stay inside the stage's directory`);

/**
 * The absolute path of `path` inside the stage directory `root`, refused when it climbs out (`..`),
 * is absolute, or resolves (through symbolic links) to a place outside the stage.
 */
export function pathInStage(root: string, path: string, shown: string): string {
  if (isAbsolute(path) || path.split(/[\\/]+/).includes('..')) throw stageEscape(shown);
  const realRoot = realRootOf(root, shown);
  const target = resolve(realRoot, path);
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    throw new RecpipeError('NOT_FOUND', `Remote file '${shown}' was not found. There are no files at this location.`);
  }
  if (!within(realRoot, real)) throw stageEscape(shown);
  return real;
}

/**
 * The files under a stage path (a file, or a directory listed recursively and sorted) that `wanted`
 * keeps (by their path inside the stage), each checked to lie inside the stage.
 */
export function stageFiles(root: string, path: string, shown: string, wanted: (relative: string) => boolean = () => true): StageFile[] {
  const realRoot = realRootOf(root, shown);
  const start = pathInStage(root, path, shown);
  const st = statSync(start);
  const names = st.isFile() ? [start] : (readdirSync(start, { recursive: true }) as string[]).map((f) => join(start, f)).sort();
  const out: StageFile[] = [];
  for (const name of names) {
    if (!wanted(relative(realRoot, name))) continue;
    const real = realpathSync(name);
    if (!within(realRoot, real)) throw stageEscape(`${shown}/${relative(start, name)}`);
    const s = statSync(real);
    if (s.isFile()) out.push({ path: real, relative: relative(realRoot, name), size: s.size, modified: s.mtime });
  }
  return out;
}

function realRootOf(root: string, shown: string): string {
  try {
    return realpathSync(root);
  } catch {
    throw new RecpipeError('NOT_FOUND', `the directory of stage '${shown}' (${root}) does not exist`);
  }
}

const within = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
