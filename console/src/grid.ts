import type { Column } from './api.js';

const ROW_HEIGHT = 26;
/**
 * Rows drawn ahead of the visible ones in the direction of the scroll, so that the next frames of a
 * slow scroll (which the compositor may show before the page redraws) find them drawn. A scroll moving
 * further than this in a frame gets none: they would be replaced before they could be seen.
 */
const OVERSCAN = 8;
/** Rows asked of the server at a time when the grid scrolls to rows it does not have. */
const PAGE_ROWS = 2000;
/** A structured cell shows this much of its JSON; the whole value opens on demand. */
const PREVIEW_CHARS = 160;

/** What a cell shows: NULL, a value, or the start of the JSON of a VARIANT/OBJECT/ARRAY value. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') {
    const json = JSON.stringify(v);
    return json.length > PREVIEW_CHARS ? `${json.slice(0, PREVIEW_CHARS)}…` : json;
  }
  return String(v);
}

/** Rows [offset, offset + limit) of the result shown, from the server (a large result arrives a page at a time). */
export type FetchRows = (offset: number, limit: number) => Promise<unknown[][]>;

/** One recycled row node: its cells' text nodes and expand buttons, and the row it shows now (-1: none). */
interface Slot {
  readonly row: HTMLDivElement;
  readonly index: Text;
  readonly cells: HTMLDivElement[];
  readonly texts: Text[];
  readonly buttons: HTMLButtonElement[];
  shows: number;
  loaded: boolean;
  /** Out of the range drawn: kept where it stands, but hidden from assistive technology. */
  stale: boolean;
}

/**
 * A virtualised results grid. A spacer as tall as all rows scrolls; a fixed pool of row nodes (the
 * visible rows and an overscan band) is reused, row r always in slot r mod pool size, so a scroll only
 * rewrites the text of the rows that came into view and moves them (a transform): no node is created
 * or removed while scrolling, and a slot outside the range drawn keeps its row, which is still right
 * where it stands. Rows and cells have fixed geometry (style.css), so rewritten text lays out only its
 * cell. The scroll handler only asks for a frame; the frame reads scrollTop once and then only writes.
 * Rows not yet fetched show as "…" while their page is asked for; structured cells open as pretty JSON
 * from their button.
 */
export class ResultGrid {
  readonly #scroller: HTMLDivElement;
  readonly #body: HTMLDivElement;
  readonly #spacer: HTMLDivElement;
  #columns: Column[] = [];
  #rows: (unknown[] | undefined)[] = [];
  #fetch: FetchRows | null = null;
  readonly #pending = new Map<number, Promise<void>>();
  #generation = 0;
  #slots: Slot[] = [];
  #viewHeight = 400;
  #lastTop = 0;
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
    new ResizeObserver((entries) => {
      this.#viewHeight = entries[0]?.contentRect.height || 400;
      this.#schedule();
    }).observe(this.#scroller);
  }

  /**
   * Shows a result of `total` rows of which `rows` (the first ones) are here; `fetch` gets the others
   * as they scroll into view.
   */
  show(columns: Column[], rows: unknown[][], total = rows.length, fetch: FetchRows | null = null): void {
    this.#generation++;
    this.#pending.clear();
    this.#columns = columns;
    this.#rows = rows.slice();
    this.#rows.length = total;
    this.#fetch = fetch;
    this.#scroller.style.setProperty('--grid-width', `calc(4.5rem + ${columns.length} * 12rem)`);
    this.#scroller.setAttribute('aria-rowcount', String(total + 1));
    this.#scroller.setAttribute('aria-colcount', String(columns.length + 1));
    const header = el('div', 'grid-row grid-header', { role: 'row', 'aria-rowindex': '1' });
    header.append(el('div', 'grid-cell grid-index', { role: 'columnheader' }, '#'));
    columns.forEach((c, i) => header.append(column(el('div', 'grid-cell', { role: 'columnheader', title: c.type }, c.name), i)));
    this.#spacer.style.height = `${total * ROW_HEIGHT}px`;
    this.#slots = [];
    this.#body.replaceChildren();
    this.#scroller.replaceChildren(header, this.#spacer);
    this.host.replaceChildren(this.#scroller);
    this.#scroller.scrollTop = 0;
    this.#lastTop = 0;
    this.#draw();
  }

  /** Every row of the result shown, fetching those not here yet (for copy and download). */
  async allRows(): Promise<unknown[][]> {
    const generation = this.#generation;
    for (let page = 0; page * PAGE_ROWS < this.#rows.length; page++) {
      if (generation !== this.#generation) throw new Error('another result is shown now');
      await this.#load(page);
    }
    return this.#rows as unknown[][];
  }

  /** A message instead of rows (a command's status, an error). */
  message(text: string, kind: 'info' | 'error' = 'info'): void {
    this.#generation++;
    this.#rows = [];
    this.#fetch = null;
    this.host.replaceChildren(
      el('p', kind === 'error' ? 'error result-message' : 'result-message', { role: kind === 'error' ? 'alert' : 'status' }, text),
    );
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => ((this.#frame = 0), this.#draw()));
  }

  #draw(): void {
    const started = performance.now();
    const top = this.#scroller.scrollTop;
    const step = top - this.#lastTop;
    this.#lastTop = top;
    const ahead = Math.abs(step) <= OVERSCAN * ROW_HEIGHT ? OVERSCAN : 0;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - (step < 0 ? ahead : 0));
    const last = Math.min(this.#rows.length, Math.ceil((top + this.#viewHeight) / ROW_HEIGHT) + (step > 0 ? ahead : 0));
    const size = Math.min(this.#rows.length, Math.ceil(this.#viewHeight / ROW_HEIGHT) + OVERSCAN + 1);
    if (size > this.#slots.length) this.#grow(size);
    const pool = this.#slots.length;
    if (pool === 0) return;
    let missing = -1;
    for (let r = first; r < last; r++) {
      const slot = this.#slots[r % pool];
      const values = this.#rows[r];
      if (slot.shows === r && slot.loaded === (values !== undefined)) continue;
      this.#fill(slot, r, values);
      if (values === undefined && missing < 0) missing = r;
    }
    // A slot left outside the range shows its row where it stands (brought up to date once its page is
    // here); only the rows in range are offered to assistive technology.
    for (const slot of this.#slots) {
      const stale = slot.shows < first || slot.shows >= last;
      if (stale && slot.shows >= 0 && !slot.loaded && this.#rows[slot.shows] !== undefined)
        this.#fill(slot, slot.shows, this.#rows[slot.shows]);
      if (stale !== slot.stale) {
        slot.stale = stale;
        if (stale) slot.row.setAttribute('aria-hidden', 'true');
        else slot.row.removeAttribute('aria-hidden');
      }
    }
    if (missing >= 0) this.#fetchAround(first, last);
    // Read by the browser test to report the grid's own share of a frame.
    performance.measure('grid-draw', { start: started });
  }

  #grow(size: number): void {
    for (const slot of this.#slots) {
      slot.shows = -1;
      slot.row.remove();
    }
    while (this.#slots.length < size) {
      const row = el('div', 'grid-row', { role: 'row' });
      const indexCell = el('div', 'grid-cell grid-index', { role: 'rowheader' });
      const index = document.createTextNode('');
      indexCell.append(index);
      row.append(indexCell);
      const cells: HTMLDivElement[] = [];
      const texts: Text[] = [];
      const buttons: HTMLButtonElement[] = [];
      for (let c = 0; c < this.#columns.length; c++) {
        const cell = column(el('div', 'grid-cell', { role: 'gridcell' }), c);
        // Attached only while the cell shows a structured value.
        const button = el('button', 'json-open', { type: 'button', 'data-col': String(c) }, '{…}');
        const text = document.createTextNode('');
        cell.append(text);
        row.append(cell);
        cells.push(cell);
        texts.push(text);
        buttons.push(button);
      }
      this.#slots.push({ row, index, cells, texts, buttons, shows: -1, loaded: false, stale: false });
    }
  }

  #fill(slot: Slot, r: number, values: unknown[] | undefined): void {
    if (slot.shows !== r) {
      slot.row.style.transform = `translateY(${r * ROW_HEIGHT}px)`;
      slot.row.setAttribute('aria-rowindex', String(r + 2));
      slot.row.dataset.row = String(r);
      slot.index.data = String(r + 1);
      if (!slot.row.parentNode) this.#body.append(slot.row);
      slot.shows = r;
    }
    slot.loaded = values !== undefined;
    for (let c = 0; c < this.#columns.length; c++) {
      const v = values?.[c];
      const structured = v !== null && typeof v === 'object';
      // Written only when they change: an unchanged write still dirties the cell's text or style.
      const text = values === undefined ? '…' : structured ? ` ${cellText(v)}` : cellText(v);
      if (slot.texts[c].data !== text) slot.texts[c].data = text;
      const className = values !== undefined && (v === null || v === undefined) ? 'grid-cell null' : 'grid-cell';
      if (slot.cells[c].className !== className) slot.cells[c].className = className;
      const button = slot.buttons[c];
      if (structured) {
        button.setAttribute('aria-label', `Expand ${this.#columns[c].name} of row ${r + 1}`);
        if (button.parentNode !== slot.cells[c]) slot.cells[c].prepend(button);
      } else if (button.parentNode) button.remove();
    }
  }

  /** Asks for the pages holding rows [first, last) that are not here, then redraws. */
  #fetchAround(first: number, last: number): void {
    for (let page = Math.floor(first / PAGE_ROWS); page * PAGE_ROWS < last; page++) void this.#load(page).catch(() => undefined);
  }

  #load(page: number): Promise<void> {
    const from = page * PAGE_ROWS;
    const to = Math.min(this.#rows.length, from + PAGE_ROWS);
    let have = true;
    for (let r = from; r < to && have; r++) have = this.#rows[r] !== undefined;
    if (have || !this.#fetch) return Promise.resolve();
    const inFlight = this.#pending.get(page);
    if (inFlight) return inFlight;
    const generation = this.#generation;
    const request = this.#fetch(from, to - from).then(
      (rows) => {
        if (generation !== this.#generation) return;
        for (let i = 0; i < rows.length; i++) this.#rows[from + i] = rows[i];
        this.#pending.delete(page);
        // Also when out of the range drawn: a slot there may still show these rows as "…".
        this.#schedule();
      },
      (e: unknown) => {
        this.#pending.delete(page);
        throw e;
      },
    );
    this.#pending.set(page, request);
    return request;
  }

  #clicked(e: Event): void {
    const button = (e.target as HTMLElement).closest<HTMLElement>('button.json-open');
    const row = button?.closest<HTMLElement>('.grid-row');
    if (!button || !row) return;
    const r = Number(row.dataset.row);
    const c = Number(button.dataset.col);
    const value = this.#rows[r]?.[c];
    if (value !== undefined) this.openJson(`${this.#columns[c].name}, row ${r + 1}`, value);
  }
}

/** Places a cell in column `c` (style.css positions cells by --c). */
function column(cell: HTMLDivElement, c: number): HTMLDivElement {
  cell.style.setProperty('--c', String(c));
  return cell;
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
