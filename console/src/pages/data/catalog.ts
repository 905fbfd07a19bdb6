import { api } from '../../api.js';
import { quoteIdentifier, records } from '../../context.js';

export { records };

export type ObjectKind = 'table' | 'view' | 'stage' | 'stream';

export interface DataObject {
  database: string;
  schema: string;
  name: string;
  kind: ObjectKind;
}

export interface SchemaNode {
  database: string;
  name: string;
  objects: DataObject[];
}

export interface DatabaseNode {
  name: string;
  schemas: SchemaNode[];
}

/** `"DB"."SCHEMA"."NAME"`: every part quoted, so any name the server listed is safe in SQL. */
export const qualified = (o: { database: string; schema: string; name: string }): string =>
  [o.database, o.schema, o.name].map(quoteIdentifier).join('.');

const KIND_ORDER: Record<ObjectKind, number> = { table: 0, view: 1, stage: 2, stream: 3 };

/**
 * Everything the role sees, in one request (SHOW lists only that). Stages have no SHOW here: they are
 * read from the system catalog and kept to the schemas the role sees; listing one's files still
 * needs the privilege.
 */
export async function loadCatalog(): Promise<DatabaseNode[]> {
  const reply = await api.run('show databases; show schemas in account; show objects in account; show streams in account');
  const [dbs, schemas, objects, streams] = reply.results.map(records);
  const stages = await api
    .run('select database_name, schema_name, name from recpipe.public.stages')
    .then((r) => records(r.results[0]))
    .catch(() => []);
  const tree = new Map<string, DatabaseNode>(dbs.map((d) => [String(d.name), { name: String(d.name), schemas: [] }]));
  const schemaNodes = new Map<string, SchemaNode>();
  for (const s of schemas) {
    const db = tree.get(String(s.database_name));
    // INFORMATION_SCHEMA holds views about the data, not data: worksheets query it; the tree shows the data.
    if (!db || s.name === 'INFORMATION_SCHEMA') continue;
    const node: SchemaNode = { database: db.name, name: String(s.name), objects: [] };
    db.schemas.push(node);
    schemaNodes.set(`${db.name}.${node.name}`, node);
  }
  const add = (rows: Record<string, unknown>[], kind: (r: Record<string, unknown>) => ObjectKind | null) => {
    for (const r of rows) {
      const k = kind(r);
      const schema = schemaNodes.get(`${String(r.database_name)}.${String(r.schema_name)}`);
      if (k && schema) schema.objects.push({ database: schema.database, schema: schema.name, name: String(r.name), kind: k });
    }
  };
  add(objects, (r) => (r.kind === 'TABLE' ? 'table' : r.kind === 'VIEW' ? 'view' : null));
  add(streams, () => 'stream');
  add(stages, () => 'stage');
  for (const s of schemaNodes.values()) s.objects.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));
  return [...tree.values()];
}
