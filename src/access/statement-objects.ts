/**
 * The objects a statement reads, writes, creates and drops, read from the statement's own syntax
 * tree (@polyglot-sql/sdk, sqlglot's design in Rust/WASM), never guessed from its words. Names are
 * as written: 1–3 parts, unquoted parts upper-cased as Snowflake resolves them.
 */
export type WriteKind = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'MERGE' | 'ALTER';

export interface ObjectRef {
  readonly name: readonly string[];
}

export interface WriteRef extends ObjectRef {
  readonly kind: WriteKind;
}

export interface CreateRef extends ObjectRef {
  readonly kind: 'TABLE' | 'VIEW';
}

export interface StatementObjects {
  /** Tables and views read (CTE names excluded). */
  readonly reads: readonly ObjectRef[];
  readonly writes: readonly WriteRef[];
  readonly creates: readonly CreateRef[];
  readonly drops: readonly CreateRef[];
}

type Node = Record<string, unknown>;
type Parse = (sql: string, dialect: string) => { success: boolean; ast?: unknown[]; error?: unknown };

let parser: Promise<Parse> | undefined;

/** The parser loads on first use (its WASM module takes about half a second to import). */
function loadParser(): Promise<Parse> {
  parser ??= import('@polyglot-sql/sdk').then(async (pg) => {
    const m = pg as unknown as { init?: () => Promise<void>; parse: Parse };
    if (m.init) await m.init();
    return m.parse;
  });
  return parser;
}

/** Recent answers by text: clients repeat the same statements (prepared-style loops, dashboards). */
const recent = new Map<string, StatementObjects | null>();
const RECENT_MAX = 512;

/** The statement's objects, or null when the parser cannot read it (the caller then falls back to its own references). */
export async function statementObjects(sqlText: string): Promise<StatementObjects | null> {
  const known = recent.get(sqlText);
  if (known !== undefined || recent.has(sqlText)) return known ?? null;
  const found = await parseObjects(sqlText);
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(sqlText, found);
  return found;
}

async function parseObjects(sqlText: string): Promise<StatementObjects | null> {
  const parse = await loadParser();
  let result;
  try {
    result = parse(sqlText, 'snowflake');
  } catch {
    return null;
  }
  if (!result.success || !Array.isArray(result.ast) || result.ast.length !== 1) return null;
  return objectsOf(result.ast[0] as Node);
}

const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A table reference node: `{name: {name, quoted}, schema, catalog, alias …}`. */
function isTableRef(v: unknown): v is Node {
  return isObject(v) && isObject(v.name) && typeof (v.name as Node).name === 'string' && 'schema' in v && 'catalog' in v;
}

const part = (id: unknown): string | null => {
  if (!isObject(id) || typeof id.name !== 'string') return null;
  return id.quoted === true ? id.name : id.name.toUpperCase();
};

function nameOf(ref: Node): string[] {
  return [part(ref.catalog), part(ref.schema), part(ref.name)].filter((p): p is string => p !== null);
}

function objectsOf(stmt: Node): StatementObjects {
  const targets = new Set<Node>();
  const writes: WriteRef[] = [];
  const creates: CreateRef[] = [];
  const drops: CreateRef[] = [];
  const target = (ref: unknown, kind: WriteKind): void => {
    if (isTableRef(ref)) {
      targets.add(ref);
      writes.push({ kind, name: nameOf(ref) });
    }
  };
  const [[verb, body]] = Object.entries(stmt) as [[string, Node]];
  switch (verb) {
    case 'insert':
      target(body.table, 'INSERT');
      break;
    case 'update':
      target(body.table, 'UPDATE');
      break;
    case 'delete':
      target(body.table, 'DELETE');
      break;
    case 'truncate':
      target(body.table, 'TRUNCATE');
      break;
    case 'merge':
      target(isObject(body.this) ? body.this.table : undefined, 'MERGE');
      break;
    case 'alter_table':
      target(body.name, 'ALTER');
      break;
    case 'create_table':
    case 'create_view':
      if (isTableRef(body.name)) {
        targets.add(body.name);
        creates.push({ kind: verb === 'create_table' ? 'TABLE' : 'VIEW', name: nameOf(body.name) });
      }
      break;
    case 'drop_table':
      for (const ref of Array.isArray(body.names) ? body.names : []) {
        if (isTableRef(ref)) (targets.add(ref), drops.push({ kind: 'TABLE', name: nameOf(ref) }));
      }
      break;
    case 'drop_view':
      if (isTableRef(body.name)) (targets.add(body.name), drops.push({ kind: 'VIEW', name: nameOf(body.name) }));
      break;
  }
  const ctes = new Set<string>();
  const reads: ObjectRef[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObject(v)) return;
    if (isObject(v.with) && Array.isArray(v.with.ctes)) {
      for (const cte of v.with.ctes) if (isObject(cte)) ctes.add(part(cte.alias) ?? '');
    }
    if (isTableRef(v) && !targets.has(v)) {
      const name = nameOf(v);
      if (!(name.length === 1 && ctes.has(name[0]))) reads.push({ name });
    }
    for (const [key, child] of Object.entries(v)) if (key !== 'name' || !isTableRef(v)) visit(child);
  };
  visit(stmt);
  return { reads, writes, creates, drops };
}
