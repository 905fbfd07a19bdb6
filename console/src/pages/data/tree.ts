import { el } from '../../grid.js';
import type { DataObject, DatabaseNode, SchemaNode } from './catalog.js';

const KIND_LABEL = { table: 'Table', view: 'View', stage: 'Stage', stream: 'Stream' } as const;

/**
 * The catalog as an ARIA tree with one tab stop: arrows move and open/close, Home/End jump, Enter or a
 * click opens an object.
 */
export class DataTree {
  readonly root = el('ul', 'data-tree', { role: 'tree', 'aria-label': 'Databases' });
  #active: HTMLElement | null = null;

  constructor(private readonly open: (o: DataObject) => void) {
    this.root.addEventListener('keydown', (e) => this.#key(e));
    this.root.addEventListener('click', (e) => {
      const item = (e.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
      if (!item) return;
      e.stopPropagation();
      this.#focus(item);
      this.#activate(item);
    });
  }

  show(databases: DatabaseNode[], selected: DataObject | null): void {
    const expanded = new Set([...this.root.querySelectorAll<HTMLElement>('[aria-expanded=true]')].map((n) => n.dataset.key));
    const selectedKey = selected && keyOf(selected);
    const leaf = (o: DataObject) => {
      const node = item(keyOf(o), o.name, KIND_LABEL[o.kind], 3);
      objects.set(node, o);
      if (keyOf(o) === selectedKey) node.setAttribute('aria-selected', 'true');
      return node;
    };
    const schema = (s: SchemaNode) => branch(`schema:${s.database}.${s.name}`, s.name, 'Schema', expanded, 2, s.objects.map(leaf));
    this.root.replaceChildren(...databases.map((db) => branch(`db:${db.name}`, db.name, 'Database', expanded, 1, db.schemas.map(schema))));
    const first = this.root.querySelector<HTMLElement>('[aria-selected=true]') ?? this.root.querySelector<HTMLElement>('[role=treeitem]');
    if (first) this.#focus(first, false);
  }

  #visible(): HTMLElement[] {
    return [...this.root.querySelectorAll<HTMLElement>('[role=treeitem]')].filter((n) => n.offsetParent !== null);
  }

  #focus(item: HTMLElement, move = true): void {
    this.#active?.setAttribute('tabindex', '-1');
    item.setAttribute('tabindex', '0');
    this.#active = item;
    if (move) item.focus();
  }

  #activate(item: HTMLElement): void {
    const o = objects.get(item);
    if (o) {
      for (const n of this.root.querySelectorAll('[aria-selected=true]')) n.removeAttribute('aria-selected');
      item.setAttribute('aria-selected', 'true');
      this.open(o);
    } else if (item.hasAttribute('aria-expanded')) {
      item.setAttribute('aria-expanded', String(item.getAttribute('aria-expanded') !== 'true'));
    }
  }

  #key(e: KeyboardEvent): void {
    const item = this.#active;
    if (!item) return;
    const items = this.#visible();
    const at = items.indexOf(item);
    const expanded = item.getAttribute('aria-expanded');
    const go = (target: HTMLElement | undefined | null) => target && this.#focus(target);
    switch (e.key) {
      case 'ArrowDown':
        go(items[at + 1]);
        break;
      case 'ArrowUp':
        go(items[at - 1]);
        break;
      case 'Home':
        go(items[0]);
        break;
      case 'End':
        go(items.at(-1));
        break;
      case 'ArrowRight':
        if (expanded === 'false') item.setAttribute('aria-expanded', 'true');
        else if (expanded === 'true') go(item.querySelector<HTMLElement>('[role=treeitem]'));
        break;
      case 'ArrowLeft':
        if (expanded === 'true') item.setAttribute('aria-expanded', 'false');
        else go(item.parentElement?.closest<HTMLElement>('[role=treeitem]'));
        break;
      case 'Enter':
      case ' ':
        this.#activate(item);
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}

const objects = new WeakMap<HTMLElement, DataObject>();
const keyOf = (o: DataObject): string => `obj:${o.kind}:${o.database}.${o.schema}.${o.name}`;

function item(key: string, name: string, kind: string, level: number): HTMLElement {
  const li = el('li', 'tree-item', { role: 'treeitem', tabindex: '-1', 'aria-level': String(level), 'data-key': key });
  li.append(el('span', 'tree-label', {}, name), el('span', 'tree-kind muted', {}, kind));
  return li;
}

function branch(key: string, name: string, kind: string, expanded: Set<string | undefined>, level: number, children: HTMLElement[]) {
  const li = item(key, name, kind, level);
  li.setAttribute('aria-expanded', String(expanded.has(key)));
  const group = el('ul', 'tree-group', { role: 'group' });
  group.append(...(children.length > 0 ? children : [el('li', 'tree-empty muted', { role: 'none' }, '(empty)')]));
  li.append(group);
  return li;
}
