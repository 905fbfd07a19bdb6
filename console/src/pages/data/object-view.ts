import { api, type StatementResult } from '../../api.js';
import { quoteString } from '../../context.js';
import { ResultGrid, el } from '../../grid.js';
import { failure, showJson } from '../../shell.js';
import { type DataObject, qualified, records } from './catalog.js';

/** Rows of a table, view or stream shown in the preview. */
const PREVIEW_ROWS = 100;

/** One object: its columns and types, row count, first rows, and for a table its load history. */
export class ObjectView {
  readonly root = el('div', 'object-view');
  readonly #title = el('h2', undefined, { id: 'data-object-title' }, 'Pick a table, view, stage or stream');
  readonly #count = el('span', 'row-count', { id: 'data-row-count', 'aria-live': 'polite' });
  readonly #load = el('button', 'primary', { type: 'button', id: 'data-load' }, 'Load data…');
  readonly #note = el('p', 'muted', { role: 'status' });
  readonly #columns = el('div', 'table-scroll', { id: 'data-columns' });
  readonly #preview = new ResultGrid(el('div', 'data-preview', { id: 'data-preview' }), showJson);
  readonly #history = el('div', 'table-scroll', { id: 'data-history' });
  readonly #previewTitle = el('h3', undefined, {}, 'Preview');
  readonly #historyCard: HTMLElement;
  #shown: DataObject | null = null;

  constructor(loadInto: (o: DataObject) => void) {
    const head = el('div', 'object-head');
    head.append(this.#title, this.#count, this.#load);
    this.#load.hidden = true;
    this.#load.addEventListener('click', () => this.#shown && loadInto(this.#shown));
    this.#historyCard = card(el('h3', undefined, {}, 'Load history'), this.#history);
    this.root.append(
      head,
      this.#note,
      card(el('h3', undefined, {}, 'Columns'), this.#columns),
      card(this.#previewTitle, this.#preview.host),
      this.#historyCard,
    );
  }

  get shown(): DataObject | null {
    return this.#shown;
  }

  async show(o: DataObject): Promise<void> {
    this.#shown = o;
    this.#title.textContent = `${o.database}.${o.schema}.${o.name}`;
    this.#load.hidden = o.kind !== 'table';
    this.#historyCard.hidden = o.kind !== 'table';
    this.#count.textContent = '';
    this.#note.textContent = 'Loading…';
    this.#columns.replaceChildren();
    this.#history.replaceChildren();
    this.#preview.message('Loading…');
    try {
      if (o.kind === 'stage') await this.#stage(o);
      else await this.#relation(o);
      if (this.#shown === o) this.#note.textContent = '';
    } catch (e) {
      if (this.#shown === o) this.#note.textContent = failure(e);
    }
  }

  async #relation(o: DataObject): Promise<void> {
    const name = qualified(o);
    this.#previewTitle.textContent = `First ${PREVIEW_ROWS} rows`;
    // A stream has no DESCRIBE here: its columns are its preview's (the table's, and the METADATA$ ones).
    const describe = o.kind === 'stream' ? '' : `describe table ${name}; `;
    const reply = await api.run(`${describe}select count(*) from ${name}; select * from ${name} limit ${PREVIEW_ROWS}`);
    if (this.#shown !== o) return;
    const [count, preview] = reply.results.slice(-2);
    const columns = o.kind === 'stream' ? preview.columns.map((c) => ({ ...c, 'null?': '' })) : records(reply.results[0]);
    this.#columns.replaceChildren(columnTable(columns));
    const rows = Number(count.rows[0]?.[0] ?? 0);
    this.#count.textContent = `${rows.toLocaleString('en-US')} rows`;
    this.#preview.show(preview.columns, preview.rows);
    if (o.kind === 'table') await this.#loadHistory(o);
  }

  async #loadHistory(o: DataObject): Promise<void> {
    const reply = await api.run(
      `select file_name, last_load_time, status, row_count, row_parsed, error_count, first_error_message
       from ${qualified({ ...o, schema: 'INFORMATION_SCHEMA', name: 'LOAD_HISTORY' })}
       where schema_name = ${quoteString(o.schema)} and table_name = ${quoteString(o.name)} order by last_load_time desc`,
    );
    if (this.#shown !== o) return;
    const r = reply.results[0];
    this.#history.replaceChildren(
      r.rowCount === 0 ? el('p', 'muted', {}, 'No files loaded into this table yet.') : plainTable(r, 'Load history'),
    );
  }

  async #stage(o: DataObject): Promise<void> {
    this.#previewTitle.textContent = 'Files';
    const reply = await api.run(`list @${qualified(o)}`);
    if (this.#shown !== o) return;
    const files = reply.results[0];
    this.#count.textContent = `${files.rowCount.toLocaleString('en-US')} files`;
    this.#columns.replaceChildren(el('p', 'muted', {}, 'A stage holds files; load one into a table with Load data on the table.'));
    this.#preview.show(files.columns, files.rows);
  }
}

function card(title: HTMLElement, body: HTMLElement): HTMLElement {
  const s = el('section', 'card');
  s.append(title, body);
  return s;
}

/** DESCRIBE's name, type and nullability. */
function columnTable(columns: Record<string, unknown>[]): HTMLTableElement {
  const table = el('table', 'data-table');
  table.append(el('caption', 'visually-hidden', {}, 'Columns'));
  const head = el('tr');
  for (const h of ['Column', 'Type', 'Nullable']) head.append(el('th', undefined, { scope: 'col' }, h));
  const body = el('tbody');
  for (const c of columns) {
    const tr = el('tr');
    tr.append(
      el('td', 'mono', {}, String(c.name)),
      el('td', 'mono', {}, String(c.type)),
      el('td', undefined, {}, c['null?'] === 'N' ? 'no' : c['null?'] === 'Y' ? 'yes' : ''),
    );
    body.append(tr);
  }
  table.append(el('thead'), body);
  table.tHead?.append(head);
  return table;
}

/** A small result as a plain table (load history, COPY INTO's rows per file). */
export function plainTable(r: StatementResult, caption: string): HTMLTableElement {
  const table = el('table', 'data-table');
  table.append(el('caption', 'visually-hidden', {}, caption));
  const head = el('tr');
  for (const c of r.columns) head.append(el('th', undefined, { scope: 'col' }, c.name));
  const body = el('tbody');
  for (const row of r.rows) {
    const tr = el('tr');
    for (const v of row) tr.append(el('td', typeof v === 'number' ? 'num' : undefined, {}, v === null ? '' : String(v)));
    body.append(tr);
  }
  table.append(el('thead'), body);
  table.tHead?.append(head);
  return table;
}
