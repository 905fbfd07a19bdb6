import { el } from '../grid.js';
import type { Page } from '../router.js';
import { actionButton, cellText, dataTable, note, qualifiedName, query, sqlString, statusBadge, variant } from './ops/sql.js';
import { drawGraph, type GraphTask } from './tasks/graph.js';

const HISTORY_ROWS = 100;

/**
 * Tasks and streams: the task graph (roots left, children after their parents, coloured by state),
 * each task's schedule, WHEN and state with resume/suspend/execute, the run history from
 * INFORMATION_SCHEMA.TASK_HISTORY() of each database with tasks, and the streams with their table and
 * whether they have data. Everything through the signed-in session's SQL, so its role decides what shows.
 */
let refresh: () => void = () => undefined;

export const tasksPage: Page = {
  id: 'tasks',
  title: 'Tasks & streams',
  mount(root) {
    root.classList.add('ops-page');
    refresh = () => void render(root);
  },
  // Shown again: read the tasks afresh (another page or a worksheet may have changed them).
  show: () => refresh(),
};

const keyOf = (t: Record<string, unknown>): string => qualifiedName(t.database_name, t.schema_name, t.name);
/** Predecessors are listed as DB.SCHEMA.NAME, quoted where needed: compare without quotes. */
const plain = (s: string): string => s.replace(/"/g, '');

async function render(root: HTMLElement): Promise<void> {
  const message = el('p', '', { role: 'status', id: 'tasks-message' });
  const refresh = el('button', '', { type: 'button', id: 'tasks-refresh' }, 'Refresh');
  refresh.addEventListener('click', () => void render(root));
  const header = el('div', 'ops-head');
  header.append(el('h1', '', {}, 'Tasks & streams'), refresh);
  root.replaceChildren(header, message);
  try {
    const [tasks, streams] = await query('show tasks in account; show streams in account');
    const databases = [...new Set(tasks.map((t) => String(t.database_name)))];
    const [history, hasData] = await Promise.all([
      databases.length === 0
        ? Promise.resolve([])
        : query(
            `${databases
              .map(
                (db) =>
                  `select name, database_name, schema_name, state, scheduled_time, completed_time, return_value, error_message from table(${qualifiedName(db)}.information_schema.task_history())`,
              )
              .join(' union all ')} order by scheduled_time desc limit ${HISTORY_ROWS}`,
          ).then(([rows]) => rows),
      streams.length === 0
        ? Promise.resolve([])
        : query(`select ${streams.map((s, i) => `system$stream_has_data(${sqlString(keyOf(s))}) as s${i}`).join(', ')}`).then(([[row]]) =>
            streams.map((_, i) => row[`s${i}`]),
          ),
    ]);
    const keys = new Map(tasks.map((t) => [plain(keyOf(t)), keyOf(t)]));
    const graph: GraphTask[] = tasks.map((t) => ({
      key: keyOf(t),
      label: String(t.name),
      state: String(t.state),
      after: variant<string[]>(t.predecessors, []).map((p) => keys.get(plain(p)) ?? p),
    }));
    const graphBox = el('section', 'ops-card ops-wide', { 'aria-labelledby': 'graph-h', id: 'task-graph' });
    graphBox.append(el('h2', '', { id: 'graph-h' }, 'Task graph'));
    if (tasks.length === 0) graphBox.append(el('p', 'muted', {}, 'No tasks your role can see. CREATE TASK in a worksheet makes one.'));
    else graphBox.append(el('div', 'ops-scroll'), legend());
    graphBox.querySelector('.ops-scroll')?.append(drawGraph(graph));

    const rerender = () => render(root);
    const control = (t: Record<string, unknown>, verb: 'resume' | 'suspend' | 'execute') =>
      actionButton(
        verb[0].toUpperCase() + verb.slice(1),
        message,
        async () => {
          const name = keyOf(t);
          await query(verb === 'execute' ? `execute task ${name}` : `alter task ${name} ${verb}`);
          await rerender();
          note($message(root), verb === 'execute' ? `Task ${name} is running; its run shows in the history.` : `Task ${name}: ${verb}d.`);
        },
        { 'data-task': String(t.name), 'data-action': verb },
      );
    const taskRows = tasks.map((t) => [
      keyOf(t),
      cellText(t.schedule) || '—',
      cellText(t.condition) || '—',
      variant<string[]>(t.predecessors, []).join(', ') || '—',
      statusBadge(String(t.state)),
      buttons(String(t.state) === 'started' ? control(t, 'suspend') : control(t, 'resume'), control(t, 'execute')),
    ]);
    const historyRows = history.map((h) => [
      qualifiedName(h.database_name, h.schema_name, h.name),
      statusBadge(String(h.state)),
      cellText(h.scheduled_time),
      cellText(h.completed_time),
      cellText(h.return_value),
      cellText(h.error_message),
    ]);
    const streamRows = streams.map((s, i) => [
      keyOf(s),
      cellText(s.table_name),
      cellText(s.mode),
      cellText(s.stale),
      hasData[i] === true ? 'yes' : 'no',
    ]);
    const grid = el('div', 'ops-grid');
    grid.append(
      graphBox,
      card(
        'tasks-h',
        'Tasks',
        dataTable(`${tasks.length} tasks`, ['Task', 'Schedule', 'When', 'After', 'State', ''], taskRows),
        'task-table',
      ),
      card(
        'history-h',
        'Run history',
        dataTable(`Latest ${historyRows.length} runs`, ['Task', 'State', 'Scheduled', 'Completed', 'Returned', 'Error'], historyRows),
        'task-history',
      ),
      card(
        'streams-h',
        'Streams',
        dataTable(`${streams.length} streams`, ['Stream', 'Table', 'Mode', 'Stale', 'Has data'], streamRows),
        'stream-table',
      ),
    );
    root.append(grid);
  } catch (e) {
    note(message, (e as Error).message, true);
  }
}

const $message = (root: HTMLElement): HTMLElement => root.querySelector<HTMLElement>('#tasks-message')!;

function card(id: string, title: string, body: Node, sectionId: string): HTMLElement {
  const s = el('section', 'ops-card ops-wide', { 'aria-labelledby': id, id: sectionId });
  s.append(el('h2', '', { id }, title), body);
  return s;
}

function buttons(...list: HTMLElement[]): HTMLElement {
  const span = el('span', 'ops-buttons');
  span.append(...list);
  return span;
}

function legend(): HTMLElement {
  const p = el('p', 'ops-legend muted');
  p.append(
    'States: ',
    statusBadge('started'),
    ' ',
    statusBadge('suspended'),
    ' — arrows point from a task to the tasks that run after it.',
  );
  return p;
}
