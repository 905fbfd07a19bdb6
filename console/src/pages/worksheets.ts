import { ApiError, api, type Me, type RunReply, type StatementResult } from '../api.js';
import { CATALOG_SQL, ContextPickers, catalogOf } from '../context.js';
import { resultCsv } from '../csv.js';
import { createEditor } from '../editor.js';
import { ResultGrid } from '../grid.js';
import { RunHistory } from '../history.js';
import type { Page } from '../router.js';
import { Worksheets } from '../worksheets.js';
import { $, showJson, signedOut } from '../shell.js';

/** Statements after which the pickers and completion may be stale. */
const CHANGES_CATALOG = /\b(create|drop|alter|undrop|use|grant|revoke|rename)\b/i;

/** Worksheets: the SQL editor, its results grid and history, and the session's context pickers (static markup in index.html). */
export const worksheetsPage: Page = { id: 'worksheets', title: 'Worksheets', mount: (_root, me) => workbench(me) };

async function workbench(me: Me): Promise<void> {
  const status = $('status');
  const grid = new ResultGrid($('results'), showJson);
  grid.message('Run a statement to see its result here.');
  let shown: StatementResult | null = null;
  /** Runs wait their turn: one pressed while another (or the object-list refresh after it) is under way runs after it. */
  let turn: Promise<void> = Promise.resolve();
  let waiting = 0;

  const editor = createEditor($('editor'), { run: (all) => void run(all), changed: () => sheets.edited() });
  const sheets = new Worksheets($('sheet-list'), $<HTMLInputElement>('sheet-name'), $('save-state'), editor);
  const history = new RunHistory($('history'), (sql) => editor.setText(sql));
  const pickers = new ContextPickers($('pickers'), (sql) => void execute(sql, { record: true }));

  async function refreshCatalog(): Promise<void> {
    try {
      const reply = await api.run(CATALOG_SQL);
      const catalog = catalogOf(reply);
      pickers.show(catalog, reply.session);
      editor.setSchema(catalog.completion);
    } catch (e) {
      status.textContent = `Could not list objects: ${(e as Error).message}`;
    }
  }

  /**
   * Queues SQL behind the run under way, if any: a run pressed meanwhile is the user's intent, so it is kept
   * and said to be waiting rather than dropped. Queued runs see the context the earlier ones left (a `use`).
   */
  function execute(sql: string, opts: { record: boolean; firstLine?: number }): Promise<void> {
    const busy = waiting > 0;
    waiting += 1;
    if (busy) status.textContent = `Waiting for the run under way (${waiting - 1} queued)…`;
    const mine = turn.then(() => executeNow(sql, opts)).finally(() => (waiting -= 1));
    turn = mine.catch(() => undefined);
    return mine;
  }

  /** Runs SQL in the session; shows the last result with rows (or the last message) and records it. */
  async function executeNow(sql: string, opts: { record: boolean; firstLine?: number }): Promise<void> {
    editor.markError(null);
    status.textContent = 'Running…';
    const started = performance.now();
    try {
      const reply: RunReply = await api.runPaged(sql);
      const last = reply.results.findLast((r) => r.kind === 'query') ?? reply.results[reply.results.length - 1];
      shown = last.kind === 'query' ? last : null;
      const id = last.resultId;
      if (last.kind === 'query')
        grid.show(last.columns, last.rows, last.rowCount, id === undefined ? null : (offset, limit) => api.resultRows(id, offset, limit));
      else grid.message(last.message ?? String(last.rows[0]?.[0] ?? 'Done.'));
      const rows = last.kind === 'query' ? `${last.rowCount.toLocaleString('en-US')} rows` : 'done';
      status.textContent = `${rows} in ${reply.elapsedMs} ms`;
      history.add({ sql, at: new Date(), elapsedMs: reply.elapsedMs, rowCounts: reply.results.map((r) => r.rowCount) });
      if (CHANGES_CATALOG.test(sql)) await refreshCatalog();
    } catch (e) {
      const message = (e as Error).message;
      const elapsedMs = e instanceof ApiError && e.elapsedMs !== undefined ? e.elapsedMs : Math.round(performance.now() - started);
      if (e instanceof ApiError && e.status === 401) return signedOut();
      shown = null;
      grid.message(message, 'error');
      status.textContent = `Failed after ${elapsedMs} ms`;
      if (opts.record) history.add({ sql, at: new Date(), elapsedMs, rowCounts: [], error: message });
      if (e instanceof ApiError && e.line !== undefined && opts.firstLine !== undefined) editor.markError(errorPlace(e, opts.firstLine));
    }
  }

  async function run(all: boolean): Promise<void> {
    const { text, firstLine } = editor.runnable(all);
    if (text.trim() === '') return;
    await execute(text, { record: true, firstLine });
  }

  $('run').addEventListener('click', () => void run(false));
  $('run-all').addEventListener('click', () => void run(true));
  $('copy-csv').addEventListener('click', async () => {
    if (!shown) return;
    await navigator.clipboard.writeText(resultCsv(shown.columns, await grid.allRows()));
    status.textContent = `Copied ${shown.rowCount.toLocaleString('en-US')} rows as CSV`;
  });
  $('download-csv').addEventListener('click', async () => {
    if (!shown) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([resultCsv(shown.columns, await grid.allRows())], { type: 'text/csv' }));
    link.download = `${sheets.currentName().replace(/[^\w.-]+/g, '_') || 'result'}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  });
  for (const [tab, panel, other, otherPanel] of [
    ['tab-results', 'results', 'tab-history', 'history'],
    ['tab-history', 'history', 'tab-results', 'results'],
  ]) {
    $(tab).addEventListener('click', () => {
      $(tab).setAttribute('aria-selected', 'true');
      $(other).setAttribute('aria-selected', 'false');
      $(panel).hidden = false;
      $(otherPanel).hidden = true;
    });
  }
  $('sign-out').addEventListener('click', async () => {
    await sheets.flush();
    await api.signOut().catch(() => undefined);
    location.reload();
  });

  await sheets.load();
  await refreshCatalog();
  document.body.dataset.ready = me.user;
  performance.mark('console-ready');
}

/**
 * Where in the editor an error points: the engine names the failing statement's line in the text sent
 * and, for a syntax error, the line and position inside that statement.
 */
function errorPlace(e: ApiError, firstLine: number): { line: number; column?: number; message: string } {
  const inner = /line (\d+) at position (\d+)/.exec(e.message);
  const statementLine = firstLine + (e.line ?? 1) - 1;
  if (!inner) return { line: statementLine, message: e.message };
  return { line: statementLine + Number(inner[1]) - 1, column: Number(inner[2]), message: e.message };
}
