import { el } from './grid.js';

export interface HistoryEntry {
  readonly sql: string;
  readonly at: Date;
  readonly elapsedMs: number;
  /** Rows returned or affected by each statement, in order; empty when the run failed. */
  readonly rowCounts: readonly number[];
  readonly error?: string;
}

/** This page's runs, newest first: what ran, when, how long it took and how many rows each statement gave. */
export class RunHistory {
  readonly #entries: HistoryEntry[] = [];

  constructor(
    readonly host: HTMLElement,
    private readonly reopen: (sql: string) => void,
  ) {
    this.#render();
  }

  add(entry: HistoryEntry): void {
    this.#entries.unshift(entry);
    if (this.#entries.length > 500) this.#entries.pop();
    this.#render();
  }

  #render(): void {
    const table = el('table', 'history-table');
    const head = el('tr');
    for (const h of ['Time', 'Status', 'Duration', 'Rows', 'SQL', '']) head.append(el('th', undefined, { scope: 'col' }, h));
    table.append(el('thead'), el('tbody'));
    table.tHead!.append(head);
    for (const e of this.#entries) {
      const row = el('tr', e.error ? 'failed' : undefined);
      const rows = e.error ? '' : e.rowCounts.join(' · ');
      row.append(
        el('td', undefined, {}, e.at.toLocaleTimeString()),
        el('td', undefined, { title: e.error ?? '' }, e.error ? 'Failed' : 'Succeeded'),
        el('td', 'num', {}, `${e.elapsedMs} ms`),
        el('td', 'num', {}, rows),
        el('td', 'sql', { title: e.sql }, e.sql.length > 200 ? `${e.sql.slice(0, 197)}…` : e.sql),
      );
      const open = el('button', undefined, { type: 'button' }, 'Open');
      open.addEventListener('click', () => this.reopen(e.sql));
      const cell = el('td');
      cell.append(open);
      row.append(cell);
      table.tBodies[0].append(row);
    }
    this.host.replaceChildren(this.#entries.length === 0 ? el('p', 'muted', {}, 'No statements run yet on this page.') : table);
  }
}
