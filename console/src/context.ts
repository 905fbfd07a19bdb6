import type { SQLNamespace } from '@codemirror/lang-sql';
import type { RunReply, SessionView, StatementResult } from './api.js';
import { el } from './grid.js';

/** One request for everything the pickers and completion need; SHOW lists only what the role may see. */
export const CATALOG_SQL = 'show roles; show warehouses; show databases; show schemas in account; show columns in account';

export interface Catalog {
  roles: string[];
  warehouses: string[];
  databases: string[];
  /** Schema names by database. */
  schemas: Map<string, string[]>;
  completion: SQLNamespace;
}

const column = (r: StatementResult, name: string): unknown[] => {
  const i = r.columns.findIndex((c) => c.name.toLowerCase() === name);
  return i < 0 ? [] : r.rows.map((row) => row[i]);
};

export function catalogOf(reply: RunReply): Catalog {
  const [roles, warehouses, databases, schemas, columns] = reply.results;
  const byDatabase = new Map<string, string[]>();
  const schemaNames = column(schemas, 'name');
  column(schemas, 'database_name').forEach((db, i) => {
    const list = byDatabase.get(String(db)) ?? [];
    list.push(String(schemaNames[i]));
    byDatabase.set(String(db), list);
  });
  // database → schema → table → columns, as lang-sql's completion reads it.
  const tree: Record<string, Record<string, Record<string, string[]>>> = {};
  const [dbs, scs, tables, names] = ['database_name', 'schema_name', 'table_name', 'column_name'].map((n) => column(columns, n));
  for (let i = 0; i < names.length; i++) {
    const db = (tree[typed(dbs[i])] ??= {});
    const sc = (db[typed(scs[i])] ??= {});
    (sc[typed(tables[i])] ??= []).push(typed(names[i]));
  }
  return {
    roles: column(roles, 'name').map(String),
    warehouses: column(warehouses, 'name').map(String),
    databases: column(databases, 'name').map(String),
    schemas: byDatabase,
    completion: tree,
  };
}

/**
 * A name as people type it: unquoted identifiers are case-insensitive, so offer them in lower case
 * (completion matches the typed path exactly); any other name keeps its case and is quoted on insert.
 */
const typed = (name: unknown): string => {
  const s = String(name);
  return /^[A-Z_][A-Z0-9_$]*$/.test(s) ? s.toLowerCase() : s;
};

/** A quoted identifier for a name the server listed: `"` doubled, case kept. */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** A SQL string literal: `'` doubled. */
export const quoteString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

type Kind = 'role' | 'warehouse' | 'database' | 'schema';

/** The session context pickers: choosing one runs `use <kind> "<name>"` in the worksheet's session. */
export class ContextPickers {
  readonly #selects = new Map<Kind, HTMLSelectElement>();

  constructor(host: HTMLElement, use: (sql: string) => void) {
    for (const kind of ['role', 'warehouse', 'database', 'schema'] as const) {
      const id = `pick-${kind}`;
      const label = el('label', undefined, { for: id }, kind[0].toUpperCase() + kind.slice(1));
      const select = el('select', undefined, { id });
      select.addEventListener('change', () => {
        if (select.value !== '') use(`use ${kind} ${quoteIdentifier(select.value)}`);
      });
      this.#selects.set(kind, select);
      host.append(label, select);
    }
  }

  show(catalog: Catalog, session: SessionView): void {
    const options: Record<Kind, string[]> = {
      role: catalog.roles,
      warehouse: catalog.warehouses,
      database: catalog.databases,
      schema: session.database === null ? [] : (catalog.schemas.get(session.database) ?? []),
    };
    for (const [kind, select] of this.#selects) fill(select, options[kind], session[kind]);
  }
}

function fill(select: HTMLSelectElement, names: string[], current: string | null): void {
  const list = current !== null && !names.includes(current) ? [current, ...names] : names;
  select.replaceChildren(
    el('option', undefined, { value: '' }, current === null ? '(none)' : ''),
    ...list.map((n) => el('option', undefined, { value: n }, n)),
  );
  select.value = current ?? '';
}

/** A result's rows as objects keyed by lower-case column name (SHOW and SELECT alike). */
export function records(r: StatementResult): Record<string, unknown>[] {
  const names = r.columns.map((c) => c.name.toLowerCase());
  return r.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}
