import { api, type Traffic } from '../api.js';
import { lineChart } from '../chart.js';
import { el } from '../grid.js';
import { href, type Page } from '../router.js';
import { actionButton, cellText, dataTable, note, query, sqlString, statusBadge } from './ops/sql.js';

const POLL_MS = 2000;
/** The per-minute history changes slowly (other processes write theirs every few seconds). */
const HISTORY_POLL_MS = 5000;
const SAMPLE = '1,31\n1,1029\n1,1061\n10,313\n5,18';

/**
 * Endpoints: the list with statuses; an endpoint's page with its model, version history (SHOW ENDPOINT
 * VERSIONS) with roll-back buttons, an update from a Completed training job, the invocation
 * playground, and live requests/s and latency charts polled from the serving path's counters.
 */
export const endpointsPage: Page = (() => {
  let root: HTMLElement;
  let stop: (() => void) | null = null;
  const halt = () => {
    stop?.();
    stop = null;
  };
  return {
    id: 'endpoints',
    title: 'Endpoints',
    mount(r) {
      root = r;
      root.classList.add('ops-page');
    },
    show(path) {
      halt();
      root.replaceChildren();
      if (path[0]) stop = endpointView(root, path[0]);
      else void listView(root);
    },
    hide: halt,
  };
})();

async function listView(root: HTMLElement): Promise<void> {
  const h = el('h1', '', {}, 'Endpoints');
  const out = el('p', 'muted', { role: 'status' }, 'Loading…');
  root.append(h, out);
  try {
    const [endpoints] = await query('show endpoints');
    note(out, endpoints.length === 0 ? 'No endpoints yet: deploy a training job from its page, or with deploy_model in a worksheet.' : '');
    const rows = endpoints.map((e) => [
      el('a', '', { href: href('endpoints', String(e.name)) }, String(e.name)),
      statusBadge(String(e.status)),
      cellText(e.algorithm),
      cellText(e.users),
      cellText(e.items),
      cellText(e.last_modified_on),
      cellText(e.failure_reason),
    ]);
    root.append(dataTable('Endpoints', ['Name', 'Status', 'Algorithm', 'Users', 'Items', 'Last modified', 'Note'], rows));
  } catch (e) {
    note(out, (e as Error).message, true);
  }
}

function endpointView(root: HTMLElement, name: string): () => void {
  let stopped = false;
  const timers: number[] = [];
  const charts: { destroy(): void }[] = [];
  const back = el('a', 'ops-back', { href: href('endpoints') }, '← All endpoints');
  const title = el('h1', '', {}, name);
  const status = el('span', '', { id: 'endpoint-status' });
  title.append(' ', status);
  const facts = el('dl', 'ops-facts', { id: 'endpoint-facts' });
  const message = el('p', '', { role: 'status', id: 'endpoint-message' });

  // Update: another Completed job's model.
  const update = el('section', 'ops-card', { 'aria-labelledby': 'update-h' });
  const jobPick = el('select', '', { id: 'deploy-job' });
  const jobLabel = el('label', '', { for: 'deploy-job' }, 'Training job ');
  update.append(
    el('h2', '', { id: 'update-h' }, 'Update'),
    jobLabel,
    jobPick,
    actionButton(
      'Deploy',
      message,
      async () => {
        if (!jobPick.value) throw new Error('pick a Completed training job to deploy');
        await deploy(jobPick.value, `Deploying ${jobPick.value}…`);
      },
      { id: 'deploy-button' },
    ),
  );

  const versions = el('section', 'ops-card ops-wide', { 'aria-labelledby': 'versions-h', id: 'endpoint-versions' });
  // Playground: CSV lines through the endpoint's invocation path.
  const play = el('section', 'ops-card', { 'aria-labelledby': 'play-h' });
  const input = el('textarea', 'ops-csv', { id: 'playground-input', rows: '6', spellcheck: 'false' });
  input.value = SAMPLE;
  const playOut = el('div', '', { id: 'playground-output', 'aria-live': 'polite' });
  play.append(
    el('h2', '', { id: 'play-h' }, 'Invoke'),
    el('label', '', { for: 'playground-input' }, 'user,movie lines (text/csv)'),
    input,
    actionButton(
      'Predict',
      playOut,
      async () => {
        const lines = input.value
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '');
        const { predictions, elapsedMs } = await api.invoke(name, `${lines.join('\n')}\n`);
        playOut.replaceChildren(
          dataTable(
            `${predictions.length} predictions in ${elapsedMs} ms`,
            ['user,movie', 'Predicted rating'],
            lines.map((l, i) => [l, predictions[i].toFixed(3)]),
          ),
        );
      },
      { id: 'playground-run' },
    ),
    playOut,
  );

  const live = trafficCard('live', 'traffic-totals', 'chart', 'second', 's', 'Traffic (last 2 minutes, per second, every process)');
  const history = trafficCard('history', 'history-totals', 'history', 'minute', 'min', 'Traffic (last hour, per minute, every process)');
  charts.push(live.charts, history.charts);
  const grid = el('div', 'ops-grid');
  grid.append(live.section, history.section, play, update, versions);
  root.append(back, title, message, facts, grid);

  let current: Record<string, unknown> | null = null;
  /** Versions shown, and how many to wait for: a deploy's version is recorded just after the statement answers. */
  let versionsSeen = 0;
  let versionsAwaited = 0;
  let polls = 0;

  async function deploy(ref: string, doing: string): Promise<void> {
    note(message, doing);
    await query(`select deploy_model(${sqlString(name)}, ${sqlString(ref)})`);
    versionsAwaited = versionsSeen + 1;
    polls = 0;
    await describe();
  }

  async function describe(): Promise<void> {
    const [shown, all, jobs] = await query(`show endpoints like ${sqlString(name)}; show endpoint versions; show training jobs`);
    if (stopped) return;
    current = shown.find((e) => e.name === name) ?? null;
    if (!current) {
      note(message, `No endpoint ${name} (or your role cannot see it).`, true);
      return;
    }
    const st = String(current.status);
    status.replaceChildren(statusBadge(st));
    facts.replaceChildren();
    for (const [k, v] of [
      ['Artifact', current.artifact],
      ['Algorithm', current.algorithm],
      ['Users × items', `${cellText(current.users)} × ${cellText(current.items)}`],
      ['Created', current.created_on],
      ['Last modified', current.last_modified_on],
      ['Note', current.failure_reason],
    ] as const) {
      if (v === null || v === undefined || v === '') continue;
      facts.append(el('dt', '', {}, k), el('dd', '', {}, cellText(v)));
    }
    if (st === 'InService' && message.textContent?.endsWith('…')) note(message, `${name} is InService.`);
    const picked = jobPick.value;
    jobPick.replaceChildren(
      ...jobs.filter((j) => String(j.status) === 'Completed').map((j) => el('option', '', { value: String(j.name) }, String(j.name))),
    );
    if (picked) jobPick.value = picked;
    renderVersions(all.filter((v) => v.endpoint_name === name));
    const waiting = st === 'Creating' || st === 'Updating' || (versionsSeen < versionsAwaited && polls++ < 15);
    if (waiting) timers.push(window.setTimeout(() => void describe().catch(() => undefined), POLL_MS));
  }

  function renderVersions(rows: Record<string, unknown>[]): void {
    versionsSeen = rows.length;
    const latest = rows.filter((v) => v.deployed === true).at(-1);
    const body = rows
      .slice()
      .reverse()
      .map((v) => {
        const job = v.training_job
          ? el('a', '', { href: href('jobs', String(v.training_job)) }, String(v.training_job))
          : cellText(v.policy);
        const serving = v === latest;
        const action: string | Node =
          v.deployed !== true
            ? 'not deployed'
            : serving
              ? 'serving'
              : actionButton(
                  `Roll back to v${cellText(v.version)}`,
                  message,
                  () => deploy(String(v.training_job || v.artifact), `Rolling back to version ${cellText(v.version)}…`),
                  {
                    'data-version': cellText(v.version),
                  },
                );
        return [
          cellText(v.version),
          cellText(v.decided_on),
          job,
          cellText(v.reason),
          cellText(v.challenger_rmse),
          cellText(v.current_rmse),
          cellText(v.challenger_precision_at_10),
          action,
        ];
      });
    versions.replaceChildren(
      el('h2', '', { id: 'versions-h' }, 'Model versions'),
      dataTable(
        `${rows.length} decisions`,
        ['Version', 'Decided', 'Job', 'Reason', 'Challenger RMSE', 'Current RMSE', 'Challenger P@10', ''],
        body,
      ),
    );
  }

  /** Polls one traffic series for as long as the page is shown; a missed poll is retried on the next tick. */
  function follow(card: TrafficCard, fetch: () => Promise<Traffic>, totals: (t: Traffic) => string, every: number): void {
    const tick = async (): Promise<void> => {
      try {
        const t = await fetch();
        if (stopped) return;
        card.charts.show(t);
        card.totals.textContent = totals(t);
      } catch {
        // retried on the next tick
      }
      if (!stopped) timers.push(window.setTimeout(() => void tick(), every));
    };
    void tick();
  }

  void describe().catch((e: Error) => note(message, e.message, true));
  follow(
    live,
    () => api.traffic(name),
    (t) =>
      `${t.totalRequests} requests (${t.totalErrors} failed) in the last 2 minutes, from ${processes(t.processes)}: HTTP, SQL and the console.`,
    POLL_MS,
  );
  // Every process's minutes: kept in the home, so they include other processes' SQL and outlive restarts.
  follow(
    history,
    () => api.trafficMinutes(name),
    (h) => `${h.totalRequests} requests (${h.totalErrors} failed) in the last hour, from ${processes(h.processes)}.`,
    HISTORY_POLL_MS,
  );
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    for (const c of charts) c.destroy();
  };
}

const processes = (n: number): string => (n === 1 ? 'one process' : `${n} processes`);

type TrafficCard = ReturnType<typeof trafficCard>;

/** A page section holding one traffic series: its heading, its totals line and its two charts. */
function trafficCard(id: string, totalsId: string, chartId: string, per: string, unit: string, heading: string) {
  const section = el('section', 'ops-card ops-wide', { 'aria-labelledby': `${id}-h` });
  const totals = el('p', 'muted', { id: totalsId });
  const charts = trafficCharts(chartId, per, unit);
  section.append(el('h2', '', { id: `${id}-h` }, heading), totals, charts.rps, charts.latency);
  return { section, totals, charts };
}

/** A requests chart and a latency-percentiles chart of one traffic series, made on its first figures and updated in place after. */
function trafficCharts(id: string, per: string, unit: string) {
  const rps = el('div', 'ops-chart', { id: `${id}-rps` });
  const latency = el('div', 'ops-chart', { id: `${id}-latency` });
  let drawn: ReturnType<typeof lineChart>[] = [];
  return {
    rps,
    latency,
    show(t: Traffic): void {
      const counts = [
        { label: `requests/${unit}`, values: t.requests },
        { label: `errors/${unit}`, values: t.errors },
      ];
      const percentiles = [
        { label: 'p50 ms', values: t.p50 },
        { label: 'p95 ms', values: t.p95 },
        { label: 'p99 ms', values: t.p99 },
      ];
      rps.dataset.total = String(t.totalRequests);
      if (drawn.length > 0) {
        drawn[0].update(t.t, counts);
        drawn[1].update(t.t, percentiles);
        return;
      }
      const common = { xLabel: 'time', x: t.t, time: true, height: 180 };
      drawn = [
        lineChart(rps, { ...common, title: `Requests per ${per}`, yLabel: `req/${unit}`, lines: counts }),
        lineChart(latency, { ...common, title: `Latency percentiles per ${per}`, yLabel: 'ms', lines: percentiles }),
      ];
    },
    destroy(): void {
      for (const c of drawn) c.destroy();
    },
  };
}
