import { api } from '../../api.js';
import { lineChart, type Line } from '../../chart.js';
import { quoteString } from '../../context.js';
import { el } from '../../grid.js';
import { failure } from '../../shell.js';
import { href } from '../../router.js';
import { foldRmseChart } from './fold-chart.js';
import { statusBadge } from './list.js';
import {
  durationSeconds,
  formatSeconds,
  formatTime,
  isRunning,
  jobsApi,
  tableText,
  type TrainingCurves,
  type TrainingJob,
} from './model.js';

/** While a job runs its page polls its description, log and curves this often (a curve grows a few batches a second). */
const POLL_MS = 500;

/**
 * One job: status timeline, hyperparameters, cross-validation, the training curve per epoch (full fit
 * and each fold), the folds' RMSE, the artifact, the live log, and Stop / Deploy.
 */
export class JobDetail {
  readonly root = el('div', 'job-detail');
  #name = '';
  #timer = 0;
  #chart: { update(x: number[], lines: Line[]): void; destroy(): void } | null = null;
  /** The labels of the lines drawn: the chart is remade when a line is added (a fold ended), else updated in place. */
  #chartLines = '';
  #drawnFinal = false;
  readonly #title = el('h2', undefined, { id: 'job-title' });
  readonly #badge = el('span');
  readonly #stop = el('button', undefined, { type: 'button', id: 'job-stop' }, 'Stop');
  readonly #deploy = el('button', undefined, { type: 'button', id: 'job-deploy' }, 'Deploy…');
  readonly #note = el('p', 'muted', { role: 'status', id: 'job-note' });
  readonly #timeline = el('ol', 'timeline', { id: 'job-timeline' });
  readonly #params = el('tbody');
  readonly #curve = el('div', 'chart-box', { id: 'job-curve' });
  readonly #cv = el('div', undefined, { id: 'job-cv' });
  readonly #artifact = el('p', 'mono', { id: 'job-artifact' });
  readonly #log = el('pre', 'job-log', { id: 'job-log', tabindex: '0', 'aria-label': 'Job log' });
  readonly #dialog = el('dialog', undefined, { id: 'deploy-dialog', 'aria-labelledby': 'deploy-title' });
  readonly #endpoint = el('input', undefined, { id: 'deploy-endpoint', required: '', autocomplete: 'off' });
  readonly #deployResult = el('p', undefined, { id: 'deploy-result', role: 'status' });

  constructor() {
    const back = el('a', undefined, { href: href('jobs') }, '← All training jobs');
    const head = el('div', 'job-head');
    head.append(this.#title, this.#badge, this.#stop, this.#deploy);
    const params = el('table', 'data-table', { id: 'job-params' });
    params.append(el('caption', 'visually-hidden', {}, 'Hyperparameters'), this.#params);
    this.root.append(
      back,
      head,
      this.#note,
      section('Training curve', this.#curve),
      section('Status timeline', this.#timeline),
      section('Cross-validation', this.#cv),
      section('Hyperparameters', params),
      section('Artifact', this.#artifact),
      section('Log', this.#log),
      this.#deployDialog(),
    );
    this.#stop.addEventListener('click', () => void this.#stopJob());
    this.#deploy.addEventListener('click', () => {
      this.#deployResult.textContent = '';
      this.#dialog.showModal();
      this.#endpoint.focus();
    });
  }

  show(name: string): void {
    this.hide();
    if (name !== this.#name) {
      this.#name = name;
      this.#drawnFinal = false;
      this.#chart?.destroy();
      this.#chart = null;
      this.#chartLines = '';
      this.#curve.replaceChildren();
      this.#log.textContent = '';
      this.#title.textContent = name;
    }
    void this.#poll();
  }

  /** Stops polling (another page or the list is shown). */
  hide(): void {
    clearTimeout(this.#timer);
    this.#timer = 0;
  }

  async #poll(): Promise<void> {
    const name = this.#name;
    try {
      const [job, log, curves] = await Promise.all([jobsApi.describe(name), jobsApi.logs(name), jobsApi.curves(name)]);
      if (name !== this.#name) return;
      this.#draw(job);
      if (!this.#drawnFinal) this.#drawCurve(job, curves);
      const atBottom = this.#log.scrollTop + this.#log.clientHeight >= this.#log.scrollHeight - 4;
      this.#log.textContent = log;
      if (atBottom) this.#log.scrollTop = this.#log.scrollHeight;
      if (isRunning(job)) this.#timer = window.setTimeout(() => void this.#poll(), POLL_MS);
    } catch (e) {
      this.#note.textContent = `Could not read the job: ${failure(e)}`;
    }
  }

  #draw(job: TrainingJob): void {
    this.#badge.replaceChildren(statusBadge(job.status));
    this.#stop.hidden = job.status !== 'InProgress';
    this.#deploy.hidden = job.status !== 'Completed';
    const why = job.failureReason ?? job.stopReason;
    const progress = Object.entries(job.progress ?? {})
      .map(([phase, p]) => `${phase} ${p.done}/${p.total}`)
      .join(' · ');
    this.#note.textContent = [
      `${job.secondaryStatus} · ${formatSeconds(durationSeconds(job))} · ${tableText(job.spec.input)} → ${tableText(job.spec.output)}`,
      isRunning(job) && progress ? progress : '',
      why ?? '',
    ]
      .filter((s) => s !== '')
      .join(' · ');
    this.#timeline.replaceChildren(
      ...job.secondaryStatusTransitions.map((t) => {
        const item = el('li', `step step-${t.status.toLowerCase()}`);
        const took = t.endTime ? formatSeconds((Date.parse(t.endTime) - Date.parse(t.startTime)) / 1000) : 'now';
        item.append(el('strong', undefined, {}, t.status), el('span', 'muted', {}, ` ${formatTime(t.startTime)} · ${took}`));
        item.append(el('div', undefined, {}, t.statusMessage));
        return item;
      }),
    );
    const rows: [string, unknown][] = [
      ['algorithm', job.spec.algorithm],
      ...Object.entries(job.spec.hyperparameters),
      ['folds', job.spec.folds],
      ['top_n', job.spec.topN],
      ['seed', job.spec.seed],
      ['max_runtime_seconds', job.spec.maxRuntimeSeconds],
    ];
    this.#params.replaceChildren(
      ...rows.map(([k, v]) => {
        const tr = el('tr');
        tr.append(el('th', undefined, { scope: 'row' }, k), el('td', 'mono', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)));
        return tr;
      }),
    );
    this.#artifact.textContent = job.artifactUri ?? (isRunning(job) ? 'Written when the job completes.' : 'None.');
  }

  /**
   * The training curve as far as it has grown: the full fit's line and, per fold, its training line
   * and its held-out line (the fold's test RMSE after each epoch, dashed in the fold's colour), each
   * gaining points while it fits (lines are added when their first epochs arrive). Once the job has
   * ended, the folds' table too.
   */
  #drawCurve(job: TrainingJob, curves: TrainingCurves): void {
    if (!isRunning(job)) this.#drawnFinal = true;
    const lines: Line[] = [];
    if (curves.fullFit.length > 0) lines.push({ label: 'Full fit', values: [...curves.fullFit] });
    for (const f of curves.folds) {
      const colour = f.fold;
      if (f.trainRmse.length > 0) lines.push({ label: `Fold ${f.fold}`, values: [...f.trainRmse], colour });
      if (f.testRmse.length > 0) lines.push({ label: `Fold ${f.fold} held-out`, values: [...f.testRmse], colour, dashed: true });
    }
    const epochs = Math.max(0, ...lines.map((l) => l.values.length));
    this.#curve.dataset.points = String(curves.fullFit.length);
    // Points per fold line (`1:12 2:9`): what a test watches grow while the folds fit.
    this.#curve.dataset.folds = curves.folds.map((f) => `${f.fold}:${f.trainRmse.length}`).join(' ');
    this.#curve.dataset.heldOut = curves.folds.map((f) => `${f.fold}:${f.testRmse.length}`).join(' ');
    this.#curve.dataset.measure = curves.measure;
    if (epochs === 0) {
      this.#chart?.destroy();
      this.#chart = null;
      this.#chartLines = '';
      const text = isRunning(job)
        ? 'The curve grows here from the first epoch.'
        : job.metrics
          ? 'This algorithm has no epochs.'
          : 'This job has no training figures.';
      this.#curve.replaceChildren(el('p', 'muted', {}, text));
    } else {
      const x = Array.from({ length: epochs }, (_, i) => i + 1);
      for (const l of lines) while (l.values.length < epochs) l.values.push(null);
      const labels = lines.map((l) => l.label).join('|');
      if (this.#chart && labels === this.#chartLines) this.#chart.update(x, lines);
      else {
        this.#chart?.destroy();
        this.#curve.replaceChildren();
        const measure = curves.measure === 'loss' ? 'Training loss' : 'RMSE';
        this.#chart = lineChart(this.#curve, {
          title: curves.measure === 'loss' ? 'Training loss by epoch' : 'RMSE by epoch (dashed: held out)',
          xLabel: 'Epoch',
          yLabel: measure,
          x,
          lines,
          height: 260,
        });
        this.#chartLines = labels;
      }
    }
    const m = job.metrics;
    if (!m) {
      const text = isRunning(job) ? 'The folds are tabled when the job completes.' : 'This job has no training figures.';
      this.#cv.replaceChildren(el('p', 'muted', {}, job.spec.folds === 0 ? 'Cross-validation was off (folds = 0).' : text));
      return;
    }
    const cv = m.cv;
    if (!cv) {
      this.#cv.replaceChildren(el('p', 'muted', {}, 'Cross-validation was off (folds = 0).'));
      return;
    }
    const table = el('table', 'data-table cv-table');
    const head = el('tr');
    for (const h of ['Fold', 'RMSE', 'MAE', 'Fit', 'Test']) head.append(el('th', undefined, { scope: 'col' }, h));
    const body = el('tbody');
    const row = (label: string, cells: string[]) => {
      const tr = el('tr');
      tr.append(el('th', undefined, { scope: 'row' }, label), ...cells.map((c) => el('td', 'num', {}, c)));
      body.append(tr);
    };
    for (const f of cv.folds)
      row(`Fold ${f.fold}`, [f.rmse.toFixed(4), f.mae.toFixed(4), formatSeconds(f.fitSeconds), formatSeconds(f.testSeconds)]);
    row('Mean', [cv.mean.rmse.toFixed(4), cv.mean.mae.toFixed(4), '', '']);
    row('Std', [cv.std.rmse.toFixed(4), cv.std.mae.toFixed(4), '', '']);
    table.append(el('caption', 'visually-hidden', {}, 'Cross-validation by fold'), el('thead'), body);
    table.tHead?.append(head);
    const figure = el('figure', 'fold-figure');
    figure.append(foldRmseChart(cv.folds, cv.mean.rmse), el('figcaption', 'muted', {}, 'Test RMSE by fold (dashed: the mean)'));
    this.#cv.replaceChildren(table, figure);
  }

  async #stopJob(): Promise<void> {
    this.#stop.disabled = true;
    try {
      this.#draw(await jobsApi.stop(this.#name));
      this.hide();
      void this.#poll();
    } catch (e) {
      this.#note.textContent = `Could not stop the job: ${failure(e)}`;
    } finally {
      this.#stop.disabled = false;
    }
  }

  #deployDialog(): HTMLDialogElement {
    const form = el('form', 'dialog-form');
    const cancel = el('button', undefined, { type: 'button' }, 'Close');
    cancel.addEventListener('click', () => this.#dialog.close());
    const buttons = el('div', 'dialog-buttons');
    buttons.append(el('button', 'primary', { type: 'submit' }, 'Deploy'), cancel);
    form.append(
      el('label', undefined, { for: 'deploy-endpoint' }, 'Endpoint name'),
      this.#endpoint,
      el('p', 'muted', {}, 'Deploying to an existing endpoint updates it; the old model serves until the new one is loaded.'),
      buttons,
      this.#deployResult,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#deployTo(this.#endpoint.value.trim());
    });
    this.#dialog.append(el('h2', undefined, { id: 'deploy-title' }, 'Deploy the model'), form);
    return this.#dialog;
  }

  /** deploy_model in the user's own session: the SQL path's privileges decide. */
  async #deployTo(endpoint: string): Promise<void> {
    if (endpoint === '') return;
    this.#deployResult.className = '';
    this.#deployResult.textContent = 'Deploying…';
    try {
      const reply = await api.run(`select deploy_model(${quoteString(endpoint)}, ${quoteString(this.#name)}) as deployment`);
      const value = reply.results[0]?.rows[0]?.[0];
      const d = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
      const status = d?.EndpointStatus ?? d?.status ?? 'requested';
      this.#deployResult.textContent = `Endpoint ${endpoint}: ${String(status)}.`;
    } catch (e) {
      this.#deployResult.className = 'error';
      this.#deployResult.textContent = failure(e);
    }
  }
}

function section(title: string, body: HTMLElement): HTMLElement {
  const s = el('section', 'card');
  const id = `job-${title.toLowerCase().replace(/\W+/g, '-')}-h`;
  s.setAttribute('aria-labelledby', id);
  s.append(el('h3', undefined, { id }, title), body);
  return s;
}
