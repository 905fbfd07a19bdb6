import { api } from '../api.js';
import { el } from '../grid.js';
import type { Page } from '../router.js';
import { actionButton, cellText, dataTable, note, quoteIdentifier, query, sqlString, variant } from './ops/sql.js';

const TOP_N = 10;

/**
 * The recommendations explorer: a deployed endpoint and a user → her ratings (titles, genres, stars
 * from the ratings and movies tables named, the guide's MOVIELENS.PUBLIC ones by default) beside her
 * top-N with the model's predicted ratings (SQL recommend and invoke_model); for any movie shown, the
 * movies nearest it by the served model's item factors.
 */
export const explorePage: Page = (() => {
  let form: Form;
  return {
    id: 'explore',
    title: 'Explore',
    async mount(root) {
      root.classList.add('ops-page');
      form = buildForm(root);
      await form.loadEndpoints();
    },
    show(path) {
      if (path[0]) form.endpoint.value = path[0];
      if (path[1]) {
        form.user.value = path[1];
        form.run();
      }
    },
  };
})();

interface Form {
  endpoint: HTMLSelectElement;
  user: HTMLInputElement;
  loadEndpoints(): Promise<void>;
  run(): void;
}

/** A table name as typed (db.schema.table, each part an identifier or "quoted"), quoted part by part; anything else is refused. */
export function tableName(text: string, what: string): string {
  const parts = text.trim().match(/("([^"]|"")+"|[^.]+)/g) ?? [];
  if (parts.length === 0 || parts.length > 3 || parts.join('.') !== text.trim())
    throw new Error(`${what}: give a table name like MOVIELENS.PUBLIC.RATINGS, got ${JSON.stringify(text)}`);
  return parts
    .map((p) => {
      if (p.startsWith('"')) return p;
      if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(p)) throw new Error(`${what}: ${JSON.stringify(p)} is not a name (letters, digits, _ and $)`);
      return quoteIdentifier(p.toUpperCase());
    })
    .join('.');
}

/** An id as a SQL literal: a number as it is, anything else a string. */
const idLiteral = (id: string): string => (/^-?\d+(\.\d+)?$/.test(id) ? id : sqlString(id));

function field(label: string, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  const l = el('label', 'ops-field', {}, label);
  l.append(control);
  return l;
}

function buildForm(root: HTMLElement): Form {
  const endpoint = el('select', '', { id: 'explore-endpoint' });
  const user = el('input', '', { id: 'explore-user', value: '1', inputmode: 'numeric', size: '8' });
  const ratings = el('input', '', { id: 'explore-ratings', value: 'MOVIELENS.PUBLIC.RATINGS', size: '28' });
  const movies = el('input', '', { id: 'explore-movies', value: 'MOVIELENS.PUBLIC.MOVIES', size: '28' });
  const message = el('p', '', { role: 'status', id: 'explore-message' });
  const rated = el('section', 'ops-card', { id: 'explore-rated', 'aria-label': 'Her ratings' });
  const recommended = el('section', 'ops-card', { id: 'explore-top', 'aria-label': 'Recommended' });
  const similar = el('section', 'ops-card ops-wide', { id: 'explore-similar', 'aria-label': 'Similar movies', 'aria-live': 'polite' });
  const bar = el('form', 'ops-form', { id: 'explore-form' });
  const go = el('button', '', { type: 'submit', id: 'explore-run' }, 'Explore');
  bar.append(field('Endpoint', endpoint), field('User', user), field('Ratings table', ratings), field('Movies table', movies), go);
  const grid = el('div', 'ops-grid ops-cols');
  grid.append(rated, recommended, similar);
  root.append(el('h1', '', {}, 'Recommendations explorer'), bar, message, grid);

  const movieTable = () => tableName(movies.value, 'Movies table');

  /** Titles and genres of the given movie ids, by id. */
  async function titles(ids: string[]): Promise<Map<string, Record<string, unknown>>> {
    if (ids.length === 0) return new Map();
    const [rows] = await query(`select movieid, title, genres from ${movieTable()} where movieid in (${ids.map(idLiteral).join(', ')})`);
    return new Map(rows.map((r) => [String(r.movieid), r]));
  }

  const similarButton = (id: string, title: string) =>
    actionButton('Similar', message, () => showSimilar(id, title), { 'aria-label': `Movies similar to ${title}`, 'data-movie': id });

  async function showSimilar(id: string, title: string): Promise<void> {
    const answer = await api.similar(endpoint.value, id, TOP_N);
    similar.replaceChildren(el('h2', '', {}, `Similar to ${title}`));
    if (!answer.available) {
      similar.append(el('p', 'muted', {}, answer.reason));
      return;
    }
    const info = await titles(answer.items);
    similar.append(
      dataTable(
        `${answer.items.length} nearest by the cosine of the model's item factors`,
        ['Movie', 'Genres', 'Cosine'],
        answer.items.map((m, i) => [cellText(info.get(m)?.title ?? m), cellText(info.get(m)?.genres), answer.cosines[i].toFixed(3)]),
      ),
    );
  }

  async function explore(): Promise<void> {
    const ep = endpoint.value;
    if (!ep) throw new Error('no endpoint InService to explore: deploy a model first');
    const u = user.value.trim();
    if (u === '') throw new Error('give a user id');
    const ratingsTable = tableName(ratings.value, 'Ratings table');
    note(message, 'Loading…');
    const [[her], [rec]] = await Promise.all([
      query(
        `select r.movieid, m.title, m.genres, r.rating from ${ratingsTable} r left join ${movieTable()} m on m.movieid = r.movieid where r.userid = ${idLiteral(u)} order by r.rating desc, m.title limit 500`,
      ),
      query(`select recommend(${sqlString(ep)}, ${idLiteral(u)}, ${TOP_N}) as items`),
    ]);
    const ids = variant<unknown[]>(rec[0]?.items, []).map(String);
    const [predicted] = ids.length
      ? await query(
          `select movieid, invoke_model(${sqlString(ep)}, ${idLiteral(u)}, movieid) as predicted from ${movieTable()} where movieid in (${ids.map(idLiteral).join(', ')})`,
        )
      : [[]];
    const info = await titles(ids);
    const score = new Map(predicted.map((p) => [String(p.movieid), p.predicted]));
    rated.replaceChildren(
      el('h2', '', {}, `User ${u} rated ${her.length}${her.length === 500 ? '+' : ''} movies`),
      dataTable(
        'Her ratings, best first',
        ['Movie', 'Genres', 'Stars', ''],
        her.map((r) => [
          cellText(r.title ?? r.movieid),
          cellText(r.genres),
          stars(Number(r.rating)),
          similarButton(String(r.movieid), String(r.title ?? r.movieid)),
        ]),
        'ops-table explore-rated',
      ),
    );
    recommended.replaceChildren(
      el('h2', '', {}, `Top ${ids.length} for user ${u} from ${ep}`),
      dataTable(
        'Recommended, best first, with predicted ratings',
        ['#', 'Movie', 'Genres', 'Predicted', ''],
        ids.map((m, i) => {
          const t = String(info.get(m)?.title ?? m);
          return [String(i + 1), t, cellText(info.get(m)?.genres), cellText(score.get(m)), similarButton(m, t)];
        }),
        'ops-table explore-top',
      ),
    );
    note(message, '');
  }

  bar.addEventListener('submit', (e) => {
    e.preventDefault();
    explore().catch((err: Error) => note(message, err.message, true));
  });

  return {
    endpoint,
    user,
    run: () => bar.requestSubmit(),
    async loadEndpoints() {
      try {
        const [list] = await query('show endpoints');
        const serving = list.filter((e) => e.status === 'InService' || e.status === 'Updating');
        endpoint.replaceChildren(...serving.map((e) => el('option', '', { value: String(e.name) }, String(e.name))));
        if (serving.length === 0) note(message, 'No endpoint is serving: deploy a model, then come back.');
      } catch (e) {
        note(message, (e as Error).message, true);
      }
    },
  };
}

/** Stars as text and as a label a screen reader reads. */
function stars(rating: number): HTMLElement {
  const full = Math.floor(rating);
  const half = rating - full >= 0.5;
  return el(
    'span',
    'ops-stars',
    { 'aria-label': `${rating} stars`, title: `${rating}` },
    `${'★'.repeat(full)}${half ? '½' : ''} ${rating}`,
  );
}
