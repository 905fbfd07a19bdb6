import { el } from '../../grid.js';
import { failure } from '../../shell.js';
import { href } from '../../router.js';
import { durationSeconds, formatSeconds, formatTime, jobsApi, tableText, type TrainingJob } from './model.js';

const STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/** The jobs the role sees, newest first, filtered by status and name; refreshed while shown. */
export class JobList {
  readonly root = el('div', 'jobs-list');
  readonly #status = el('select', undefined, { id: 'jobs-filter-status' });
  readonly #name = el('input', undefined, { id: 'jobs-filter-name', type: 'search', placeholder: 'Part of a name' });
  readonly #note = el('p', 'muted', { role: 'status' });
  readonly #body = el('tbody');
  #jobs: TrainingJob[] = [];

  constructor() {
    this.#status.append(el('option', undefined, { value: '' }, 'Any'), ...STATUSES.map((s) => el('option', undefined, { value: s }, s)));
    this.#status.addEventListener('change', () => this.#draw());
    this.#name.addEventListener('input', () => this.#draw());
    const filters = el('div', 'jobs-filters');
    filters.append(
      el('label', undefined, { for: 'jobs-filter-status' }, 'Status'),
      this.#status,
      el('label', undefined, { for: 'jobs-filter-name' }, 'Name'),
      this.#name,
    );
    const table = el('table', 'jobs-table data-table');
    const head = el('tr');
    for (const h of ['Name', 'Status', 'Phase', 'Algorithm', 'Input', 'Created', 'Duration'])
      head.append(el('th', undefined, { scope: 'col' }, h));
    table.append(el('caption', 'visually-hidden', {}, 'Training jobs, newest first'), el('thead'), this.#body);
    table.tHead?.append(head);
    const scroller = el('div', 'table-scroll');
    scroller.append(table);
    this.root.append(el('h2', undefined, {}, 'Training jobs'), filters, this.#note, scroller);
  }

  async refresh(): Promise<void> {
    try {
      this.#jobs = (await jobsApi.list()).sort((a, b) => b.creationTime.localeCompare(a.creationTime));
      this.#draw();
    } catch (e) {
      this.#note.textContent = `Could not list jobs: ${failure(e)}`;
    }
  }

  #draw(): void {
    const status = this.#status.value;
    const name = this.#name.value.trim().toLowerCase();
    const shown = this.#jobs.filter((j) => (status === '' || j.status === status) && j.name.toLowerCase().includes(name));
    this.#note.textContent =
      this.#jobs.length === 0
        ? 'No training jobs yet: start one with train_and_get_recommendations in a worksheet.'
        : `${shown.length} of ${this.#jobs.length} jobs`;
    this.#body.replaceChildren(
      ...shown.map((job) => {
        const row = el('tr');
        const link = el('a', undefined, { href: href('jobs', job.name) }, job.name);
        const cell = el('td');
        cell.append(link);
        row.append(
          cell,
          el('td', undefined, {}, ''),
          el('td', undefined, {}, job.secondaryStatus),
          el('td', undefined, {}, job.spec.algorithm),
          el('td', undefined, {}, tableText(job.spec.input)),
          el('td', 'num', {}, formatTime(job.creationTime)),
          el('td', 'num', {}, formatSeconds(durationSeconds(job))),
        );
        row.children[1].append(statusBadge(job.status));
        return row;
      }),
    );
  }
}

export const statusBadge = (status: string): HTMLElement => el('span', `badge badge-${status.toLowerCase()}`, {}, status);
