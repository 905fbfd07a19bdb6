import type { Page } from '../router.js';
import { failure } from '../shell.js';
import { el } from '../grid.js';
import { type DataObject, type DatabaseNode, loadCatalog } from './data/catalog.js';
import { LoadDialog } from './data/load-dialog.js';
import { ObjectView } from './data/object-view.js';
import { DataTree } from './data/tree.js';

let catalog: DatabaseNode[] = [];
let tree: DataTree;
let view: ObjectView;
const note = el('p', 'muted', { role: 'status' });

async function refresh(): Promise<void> {
  try {
    catalog = await loadCatalog();
    tree.show(catalog, view.shown);
    note.textContent = catalog.length === 0 ? 'Your role sees no databases.' : '';
  } catch (e) {
    note.textContent = `Could not list objects: ${failure(e)}`;
  }
}

const stages = (): DataObject[] => catalog.flatMap((d) => d.schemas.flatMap((s) => s.objects.filter((o) => o.kind === 'stage')));

/** Data: the databases, schemas and objects the role sees, one object's columns, rows and loads, and Load Data. */
export const dataPage: Page = {
  id: 'data',
  title: 'Data',
  mount(root) {
    const dialog = new LoadDialog(stages, (o) => void view.show(o));
    view = new ObjectView((o) => void dialog.open(o));
    tree = new DataTree((o) => void view.show(o));
    const side = el('nav', 'data-side', { 'aria-label': 'Objects' });
    const reload = el('button', undefined, { type: 'button', id: 'data-refresh' }, 'Refresh');
    reload.addEventListener('click', () => void refresh());
    side.append(reload, note, tree.root);
    root.classList.add('data-page');
    root.append(side, view.root, dialog.root);
  },
  show() {
    void refresh();
  },
};
