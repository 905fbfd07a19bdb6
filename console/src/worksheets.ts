import { api, type Worksheet } from './api.js';
import type { SqlEditor } from './editor.js';
import { el } from './grid.js';

const SAVE_DELAY_MS = 600;

/** The worksheet list: switching, creating, renaming and deleting; edits are saved to the server shortly after typing stops. */
export class Worksheets {
  #sheets: Worksheet[] = [];
  #current: Worksheet | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: Promise<unknown> = Promise.resolve();
  #switching = false;

  constructor(
    readonly list: HTMLElement,
    readonly name: HTMLInputElement,
    readonly state: HTMLElement,
    readonly editor: SqlEditor,
  ) {
    name.addEventListener('input', () => this.edited());
    document.getElementById('new-sheet')?.addEventListener('click', () => this.#create());
  }

  async load(): Promise<void> {
    this.#sheets = await api.worksheets();
    if (this.#sheets.length === 0) this.#create();
    else this.#open(this.#sheets[0]);
  }

  currentName(): string {
    return this.#current?.name ?? '';
  }

  edited(): void {
    if (this.#switching || !this.#current) return;
    this.state.textContent = 'Unsaved';
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  /** Saves the open worksheet now if it has unsaved edits. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const sheet = this.#current;
    if (!sheet || this.state.textContent !== 'Unsaved') return this.#pending.then(() => undefined);
    const edit = { id: sheet.id, name: this.name.value.trim() || 'Untitled', sql: this.editor.view.state.doc.toString() };
    this.state.textContent = 'Saving…';
    this.#pending = this.#pending
      .then(() => api.saveWorksheet(edit))
      .then((saved) => {
        this.#sheets = this.#sheets.map((s) => (s.id === saved.id ? saved : s));
        if (!this.#sheets.some((s) => s.id === saved.id)) this.#sheets.push(saved);
        if (this.#current?.id === saved.id) this.#current = saved;
        this.state.textContent = 'Saved';
        this.#render();
      })
      .catch((e: Error) => {
        this.state.textContent = `Not saved: ${e.message}`;
      });
    await this.#pending;
  }

  #create(): void {
    const sheet: Worksheet = {
      id: crypto.randomUUID(),
      name: `Worksheet ${this.#sheets.length + 1}`,
      sql: '',
      updatedOn: new Date().toISOString(),
    };
    this.#sheets.push(sheet);
    this.#open(sheet);
    this.state.textContent = 'Unsaved';
    void this.flush();
  }

  #open(sheet: Worksheet): void {
    void this.flush();
    this.#switching = true;
    this.#current = sheet;
    this.name.value = sheet.name;
    this.editor.setText(sheet.sql);
    this.editor.markError(null);
    this.#switching = false;
    this.state.textContent = '';
    this.#render();
  }

  async #remove(sheet: Worksheet): Promise<void> {
    if (!confirm(`Delete worksheet "${sheet.name}"?`)) return;
    await this.#pending;
    await api.deleteWorksheet(sheet.id).catch(() => undefined);
    this.#sheets = this.#sheets.filter((s) => s.id !== sheet.id);
    if (this.#current?.id === sheet.id) {
      this.#current = null;
      if (this.#sheets.length === 0) this.#create();
      else this.#open(this.#sheets[0]);
    } else this.#render();
  }

  #render(): void {
    this.list.replaceChildren(
      ...this.#sheets.map((sheet) => {
        const item = el('li', sheet.id === this.#current?.id ? 'current' : undefined);
        const open = el('button', 'sheet-open', { type: 'button', 'aria-current': String(sheet.id === this.#current?.id) }, sheet.name);
        open.addEventListener('click', () => this.#open(this.#sheets.find((s) => s.id === sheet.id) ?? sheet));
        const remove = el('button', 'sheet-delete', { type: 'button', 'aria-label': `Delete worksheet ${sheet.name}` }, '×');
        remove.addEventListener('click', () => void this.#remove(sheet));
        item.append(open, remove);
        return item;
      }),
    );
  }
}
