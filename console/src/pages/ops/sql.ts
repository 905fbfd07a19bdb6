import { ApiError, api } from '../../api.js';
import { el } from '../../grid.js';
import { signedOut } from '../../shell.js';

import { quoteIdentifier, quoteString, records } from '../../context.js';

// The console's one set of SQL quoting and result helpers lives in context.ts.
export { quoteIdentifier, quoteString as sqlString, records };

/** Runs SQL in the signed-in session and answers every statement's rows; a 401 goes back to sign-in. */
export async function query(sql: string): Promise<Record<string, unknown>[][]> {
  try {
    return (await api.run(sql)).results.map(records);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) signedOut();
    throw e;
  }
}

/** A VARIANT cell as a value (the server may answer it as JSON text or already parsed). */
export const variant = <T>(v: unknown, empty: T): T =>
  v === null || v === undefined ? empty : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);

/** The text of a value as a cell shows it. */
export const cellText = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : typeof v === 'number' && !Number.isInteger(v)
      ? v.toFixed(3)
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

/** A table with a caption; `cells` may give text or ready-made nodes. */
export function dataTable(caption: string, headers: string[], rows: (string | Node)[][], className = 'ops-table'): HTMLTableElement {
  const table = el('table', className);
  table.append(el('caption', '', {}, caption));
  const head = table.createTHead().insertRow();
  for (const h of headers) head.append(el('th', '', { scope: 'col' }, h));
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of row) tr.insertCell().append(c);
  }
  if (rows.length === 0) {
    const td = body.insertRow().insertCell();
    td.colSpan = headers.length;
    td.className = 'muted';
    td.textContent = 'None.';
  }
  return table;
}

/** A status word with its colour (InService, SUCCEEDED, started… green; Failed red; the rest amber or grey). */
export function statusBadge(status: string): HTMLElement {
  const s = status.toLowerCase();
  const kind = /inservice|succeeded|started|completed/.test(s)
    ? 'ok'
    : /fail|error|cancel/.test(s)
      ? 'bad'
      : /suspended|skipped/.test(s)
        ? 'idle'
        : 'busy';
  return el('span', `ops-badge ops-${kind}`, {}, status);
}

/** A labelled message line for a section: what happened, or what failed. */
export function note(target: HTMLElement, text: string, error = false): void {
  target.textContent = text;
  target.classList.toggle('error', error);
}

/** A button that runs `action`, disabled while it runs, reporting failures to `out`. */
export function actionButton(
  label: string,
  out: HTMLElement,
  action: () => Promise<void>,
  attrs: Record<string, string> = {},
): HTMLButtonElement {
  const b = el('button', '', { type: 'button', ...attrs }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await action();
    } catch (e) {
      note(out, (e as Error).message, true);
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

/** `DB.SCHEMA.NAME` for an object the server listed: plain upper-case parts as they are, any other part quoted. */
export const qualifiedName = (...parts: unknown[]): string =>
  parts.map((p) => (/^[A-Z_][A-Z0-9_$]*$/.test(String(p)) ? String(p) : quoteIdentifier(String(p)))).join('.');
