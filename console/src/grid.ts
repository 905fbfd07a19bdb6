import type { Column } from './api.js';

const ROW_HEIGHT = 26;
/** Rows drawn above and below the visible ones, so a fast scroll shows no gap. */
const OVERSCAN = 10;

/** What a cell shows: NULL, a value, or a JSON preview for VARIANT/OBJECT/ARRAY values. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * A virtualised results grid: a spacer as tall as all rows scrolls, and only the rows in view (plus a
 * few) are in the DOM, so 100k rows scroll as smoothly as 10. Structured cells open as pretty JSON.
 */
export class ResultGrid {
  readonly #scroller: HTMLDivElement;
  readonly #body: HTMLDivElement;
  readonly #spacer: HTMLDivElement;
  #columns: Column[] = [];
  #rows: unknown[][] = [];
  #first = -1;
  #last = -1;
  #frame = 0;

  constructor(
    readonly host: HTMLElement,
    private readonly openJson: (title: string, value: unknown) => void,
  ) {
    this.#scroller = el('div', 'grid', { role: 'grid', tabindex: '0' });
    this.#spacer = el('div', 'grid-spacer');
    this.#body = el('div', 'grid-rows', { role: 'rowgroup' });
    this.#spacer.append(this.#body);
    this.#scroller.addEventListener('scroll', () => this.#schedule(), { passive: true });
    this.#scroller.addEventListener('click', (e) => this.#clicked(e));
    new ResizeObserver(() => this.#schedule()).observe(this.#scroller);
  }

  show(columns: Column[], rows: unknown[][]): void {
    this.#columns = columns;
    this.#rows = rows;
    const template = `4.5rem ${columns.map(() => 'minmax(8rem, 16rem)').join(' ')}`;
    this.#scroller.style.setProperty('--grid-columns', template);
    this.#scroller.setAttribute('aria-rowcount', String(rows.length + 1));
    const header = el('div', 'grid-row grid-header', { role: 'row', 'aria-rowindex': '1' });
    header.append(el('div', 'grid-cell grid-index', { role: 'columnheader' }, '#'));
    for (const c of columns) header.append(el('div', 'grid-cell', { role: 'columnheader', title: c.type }, c.name));
    this.#spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.#scroller.replaceChildren(header, this.#spacer);
    this.host.replaceChildren(this.#scroller);
    this.#scroller.scrollTop = 0;
    this.#first = this.#last = -1;
    this.#draw();
  }

  /** A message instead of rows (a command's status, an error). */
  message(text: string, kind: 'info' | 'error' = 'info'): void {
    this.#rows = [];
    this.host.replaceChildren(
      el('p', kind === 'error' ? 'error result-message' : 'result-message', { role: kind === 'error' ? 'alert' : 'status' }, text),
    );
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => ((this.#frame = 0), this.#draw()));
  }

  #draw(): void {
    const top = this.#scroller.scrollTop;
    const height = this.#scroller.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.#rows.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    if (first === this.#first && last === this.#last) return;
    const started = performance.now();
    this.#first = first;
    this.#last = last;
    const fragment = document.createDocumentFragment();
    for (let r = first; r < last; r++) fragment.append(this.#row(r));
    this.#body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    this.#body.replaceChildren(fragment);
    // Read by the browser test to report the grid's own share of a frame.
    performance.measure('grid-draw', { start: started });
  }

  #row(r: number): HTMLElement {
    const row = el('div', 'grid-row', { role: 'row', 'aria-rowindex': String(r + 2) });
    row.append(el('div', 'grid-cell grid-index', { role: 'rowheader' }, String(r + 1)));
    const values = this.#rows[r];
    for (let c = 0; c < this.#columns.length; c++) {
      const v = values[c];
      const cell = el('div', v === null || v === undefined ? 'grid-cell null' : 'grid-cell', { role: 'gridcell' });
      if (v !== null && typeof v === 'object') {
        const open = el(
          'button',
          'json-open',
          { type: 'button', 'data-row': String(r), 'data-col': String(c), 'aria-label': `Expand ${this.#columns[c].name} of row ${r + 1}` },
          '{…}',
        );
        cell.append(open, document.createTextNode(` ${cellText(v)}`));
      } else cell.textContent = cellText(v);
      row.append(cell);
    }
    return row;
  }

  #clicked(e: Event): void {
    const button = (e.target as HTMLElement).closest<HTMLElement>('button.json-open');
    if (!button) return;
    const r = Number(button.dataset.row);
    const c = Number(button.dataset.col);
    this.openJson(`${this.#columns[c].name}, row ${r + 1}`, this.#rows[r][c]);
  }
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}
