import { api, call } from '../../api.js';
import { quoteString } from '../../context.js';
import { el } from '../../grid.js';
import { failure } from '../../shell.js';
import { type DataObject, qualified, records } from './catalog.js';
import { plainTable } from './object-view.js';

/** Where an uploaded file goes before COPY INTO reads it: the user's own stage. */
const UPLOAD_DIR = 'console-uploads';
/** The guide's MOVIELENS format spelled out, for a table without a named file format at hand. */
const INLINE_CSV = `type = csv skip_header = 1 field_optionally_enclosed_by = '"'`;
const ON_ERROR = ['ABORT_STATEMENT', 'CONTINUE', 'SKIP_FILE'];

/**
 * The guide's Load Data: a file from a stage or from this computer, a file format and ON_ERROR; runs
 * COPY INTO in the user's session and shows its row per file.
 */
export class LoadDialog {
  readonly root = el('dialog', 'load-dialog', { id: 'load-dialog', 'aria-labelledby': 'load-title' });
  readonly #title = el('h2', undefined, { id: 'load-title' });
  readonly #fromStage = el('input', undefined, { type: 'radio', name: 'load-source', id: 'load-from-stage', value: 'stage' });
  readonly #fromFile = el('input', undefined, { type: 'radio', name: 'load-source', id: 'load-from-file', value: 'file' });
  readonly #stage = el('select', undefined, { id: 'load-stage' });
  readonly #stageFile = el('select', undefined, { id: 'load-stage-file' });
  readonly #file = el('input', undefined, { type: 'file', id: 'load-file' });
  readonly #format = el('select', undefined, { id: 'load-format' });
  readonly #onError = el('select', undefined, { id: 'load-on-error' });
  readonly #submit = el('button', 'primary', { type: 'submit', id: 'load-submit' }, 'Load');
  readonly #status = el('p', undefined, { role: 'status', id: 'load-status' });
  readonly #result = el('div', 'table-scroll', { id: 'load-result' });
  #target: DataObject | null = null;

  constructor(
    private readonly stages: () => DataObject[],
    private readonly loaded: (o: DataObject) => void,
  ) {
    this.#fromStage.checked = true;
    for (const v of ON_ERROR) this.#onError.append(el('option', undefined, { value: v }, v.toLowerCase()));
    const form = el('form', 'dialog-form');
    const source = el('fieldset');
    source.append(
      el('legend', undefined, {}, 'File'),
      this.#fromStage,
      el('label', undefined, { for: 'load-from-stage' }, 'From a stage'),
      this.#fromFile,
      el('label', undefined, { for: 'load-from-file' }, 'Upload from this computer'),
    );
    const stageRow = row('load-stage', 'Stage', this.#stage);
    const stageFileRow = row('load-stage-file', 'Stage file', this.#stageFile);
    const fileRow = row('load-file', 'File to upload', this.#file);
    const sync = () => {
      stageRow.hidden = stageFileRow.hidden = !this.#fromStage.checked;
      fileRow.hidden = this.#fromStage.checked;
    };
    this.#fromStage.addEventListener('change', sync);
    this.#fromFile.addEventListener('change', sync);
    sync();
    this.#stage.addEventListener('change', () => void this.#listFiles());
    const close = el('button', undefined, { type: 'button' }, 'Close');
    close.addEventListener('click', () => this.root.close());
    const buttons = el('div', 'dialog-buttons');
    buttons.append(this.#submit, close);
    form.append(
      source,
      stageRow,
      stageFileRow,
      fileRow,
      row('load-format', 'File format', this.#format),
      row('load-on-error', 'On error', this.#onError),
      buttons,
      this.#status,
      this.#result,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#run();
    });
    this.root.append(this.#title, form);
  }

  async open(target: DataObject): Promise<void> {
    this.#target = target;
    this.#title.textContent = `Load data into ${target.database}.${target.schema}.${target.name}`;
    this.#status.textContent = '';
    this.#result.replaceChildren();
    this.#stage.replaceChildren(
      el('option', undefined, { value: '@~' }, '@~ (your own stage)'),
      ...this.stages().map((s) => el('option', undefined, { value: `@${qualified(s)}` }, `${s.database}.${s.schema}.${s.name}`)),
    );
    this.root.showModal();
    await Promise.all([this.#listFiles(), this.#listFormats(target)]);
  }

  async #listFiles(): Promise<void> {
    const stage = this.#stage.value;
    this.#stageFile.replaceChildren();
    try {
      const files = records((await api.run(`list ${stage}`)).results[0]);
      // LIST names a file with the stage's own name first (`st/dir/f.csv`, `~/f.csv`); FILES = (…) wants the rest.
      this.#stageFile.append(
        ...files.map((f) => {
          const rest = String(f.name).replace(/^[^/]*\//, '');
          return el('option', undefined, { value: rest }, `${rest} (${Number(f.size).toLocaleString('en-US')} bytes)`);
        }),
      );
      if (files.length === 0) this.#stageFile.append(el('option', undefined, { value: '' }, '(no files)'));
    } catch (e) {
      this.#status.textContent = `Could not list ${stage}: ${failure(e)}`;
    }
  }

  async #listFormats(target: DataObject): Promise<void> {
    this.#format.replaceChildren(el('option', undefined, { value: '' }, 'CSV with a header row'));
    try {
      const formats = records((await api.run('show file formats in account')).results[0]);
      // The table's own schema first: the guide's MOVIELENS format sits beside its tables.
      formats.sort(
        (a, b) =>
          Number(b.schema_name === target.schema && b.database_name === target.database) -
          Number(a.schema_name === target.schema && a.database_name === target.database),
      );
      this.#format.append(
        ...formats.map((f) => {
          const name = qualified({ database: String(f.database_name), schema: String(f.schema_name), name: String(f.name) });
          return el(
            'option',
            undefined,
            { value: name },
            `${String(f.database_name)}.${String(f.schema_name)}.${String(f.name)} (${String(f.type)})`,
          );
        }),
      );
      if (formats.length > 0) this.#format.selectedIndex = 1;
    } catch (e) {
      this.#status.textContent = `Could not list file formats: ${failure(e)}`;
    }
  }

  async #run(): Promise<void> {
    const target = this.#target;
    if (!target) return;
    this.#submit.disabled = true;
    this.#result.replaceChildren();
    this.#status.className = '';
    try {
      let from: string;
      let file: string;
      if (this.#fromStage.checked) {
        from = this.#stage.value;
        file = this.#stageFile.value;
        if (file === '') throw new Error('Pick a file: the stage has none.');
      } else {
        const picked = this.#file.files?.[0];
        if (!picked) throw new Error('Pick a file to upload.');
        this.#status.textContent = `Uploading ${picked.name}…`;
        await call('POST', '/console/api/stages/files', { target: `@~/${UPLOAD_DIR}`, name: picked.name, content: await base64(picked) });
        from = `@~/${UPLOAD_DIR}`;
        file = picked.name;
      }
      const format = this.#format.value === '' ? INLINE_CSV : `format_name = ${quoteString(this.#format.value)}`;
      this.#status.textContent = 'Loading…';
      const reply = await api.run(
        `copy into ${qualified(target)} from ${from} files = (${quoteString(file)}) file_format = (${format}) on_error = ${this.#onError.value}`,
      );
      const r = reply.results[0];
      const loaded = records(r).reduce((n, f) => n + Number(f.rows_loaded ?? 0), 0);
      this.#status.textContent = `${loaded.toLocaleString('en-US')} rows loaded in ${reply.elapsedMs} ms.`;
      this.#result.replaceChildren(plainTable(r, 'Result per file'));
      this.loaded(target);
    } catch (e) {
      this.#status.className = 'error';
      this.#status.textContent = failure(e);
    } finally {
      this.#submit.disabled = false;
    }
  }
}

function row(id: string, label: string, control: HTMLElement): HTMLElement {
  const div = el('div', 'form-row');
  div.append(el('label', undefined, { for: id }, label), control);
  return div;
}

/** A file as base64 for the upload route (FileReader's data URL, without its prefix). */
function base64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
