import type { EndpointManager, Recommendation, UserRatings } from '../endpoints/index.js';
import { parseUserRatings } from '../endpoints/user-ratings.js';
import type { ArtifactRefs } from './artifact-refs.js';
import type { EndpointAccess } from './endpoint-access.js';
import { idToJson } from '../training/index.js';
import type { FunctionArg, ScalarFunctionSpec } from '../warehouse/index.js';

const text = (v: FunctionArg, what: string): string => {
  if (typeof v !== 'string' || v.trim() === '')
    throw new Error(`${what} must be a non-empty string, got ${v === null ? 'NULL' : JSON.stringify(v)}`);
  return v.trim();
};

/**
 * The guide's endpoint functions as SQL: deploy_model(name, artifact) starts a deployment and
 * answers at once; invoke_model(name, user, item) scores whole batches from the model in memory;
 * recommend(name, user, k) gives the user's top-k unrated items. Ids of any type (INT, FLOAT,
 * VARCHAR) name the same user, as the guide's FLOAT no_ratings table needs.
 *
 * Fold-in forms take a fourth argument, a new user's ratings (JSON text, VARIANT or ARRAY: see
 * parseUserRatings), usually a correlated `(select array_agg(object_construct('item', …, 'rating', …))
 * from ratings r where r.userid = u.userid)`: invoke_model(name, user, item, ratings) scores a user
 * the model never saw from them; recommend(name, user, k, ratings) answers
 * `{"items": […], "scores": […], "source": "model" | "fold-in" | "popularity"}`. A user the model was
 * trained on is answered by the model, her ratings unused.
 */
export function endpointFunctions(
  endpoints: EndpointManager,
  refs: ArtifactRefs,
  links: { readonly baseUrl: string | null },
  owners: EndpointAccess,
): ScalarFunctionSpec[] {
  return [
    {
      name: 'deploy_model',
      parameters: ['ANY', 'ANY'],
      returns: 'JSON',
      invoke: (args, rows, ctx) =>
        Array.from({ length: rows }, (_, r) =>
          args[0][r] === null || args[1][r] === null
            ? null
            : deployModel(endpoints, refs, links, args[0][r], args[1][r], ctx.role ?? 'PUBLIC', owners),
        ),
    },
    {
      name: 'invoke_model',
      parameters: ['ANY', 'ANY', 'ANY'],
      returns: 'DOUBLE',
      invoke: ([names, users, items], rows) => {
        const out = new Float64Array(rows);
        const first = names[0];
        if (names.every((n) => n === first)) {
          if (first === null) return out.fill(Number.NaN);
          endpoints.invokeBatch(first, users, items, out);
          return out;
        }
        for (let r = 0; r < rows; r++)
          out[r] = names[r] === null ? Number.NaN : (endpoints.invokeOne(names[r], users[r], items[r]) ?? Number.NaN);
        return out;
      },
    },
    {
      name: 'invoke_model',
      parameters: ['ANY', 'ANY', 'ANY', 'ANY'],
      returns: 'DOUBLE',
      invoke: ([names, users, items, ratings], rows) => {
        const out = new Float64Array(rows);
        const parsed = ratingsColumn(ratings);
        for (let r = 0; r < rows; r++) {
          if (names[r] === null) out[r] = Number.NaN;
          // One row at a time: rows of one batch may name different endpoints or differ in ratings.
          else endpoints.invokeWithFoldIn(names[r], users[r], items[r], out.subarray(r, r + 1), () => parsed(r));
        }
        return out;
      },
    },
    {
      name: 'recommend',
      parameters: ['ANY', 'ANY', 'ANY', 'ANY'],
      returns: 'JSON',
      invoke: ([names, users, ks, ratings], rows) => {
        const parsed = ratingsColumn(ratings);
        return Array.from({ length: rows }, (_, r) => {
          if (names[r] === null || users[r] === null || ks[r] === null) return null;
          const rec = endpoints.recommend(names[r], users[r], ks[r], parsed(r));
          return rec === null ? null : JSON.stringify({ items: rec.items.map(idToJson), scores: rec.scores, source: rec.source });
        });
      },
    },
    {
      name: 'recommend',
      parameters: ['ANY', 'ANY', 'ANY'],
      returns: 'JSON',
      invoke: ([names, users, ks], rows) => {
        const asJson = (rec: Recommendation | null) => (rec === null ? null : JSON.stringify(rec.items.map(idToJson)));
        // One endpoint and one k for the whole batch (recommend over a table's users): ranked together.
        if (rows > 0 && names[0] !== null && ks[0] !== null && names.every((n) => n === names[0]) && ks.every((k) => k === ks[0]))
          return endpoints.recommendMany(names[0], users, ks[0]).map(asJson);
        return Array.from({ length: rows }, (_, r) =>
          names[r] === null || users[r] === null || ks[r] === null ? null : asJson(endpoints.recommend(names[r], users[r], ks[r])),
        );
      },
    },
  ];
}

/** Row r's ratings argument, parsed once per distinct value of the batch (the same user's list repeats across her rows). */
function ratingsColumn(column: readonly FunctionArg[]): (r: number) => UserRatings | null {
  const cache = new Map<FunctionArg, UserRatings | null>();
  return (r) => {
    const v = column[r];
    let parsed = cache.get(v);
    if (parsed === undefined) cache.set(v, (parsed = parseUserRatings(v, `ratings at row ${r + 1}`)));
    return parsed;
  };
}

/**
 * One deploy_model row: starts deploying `ref` (a training job whose model the guide copies in, an
 * artifact of the home's store or a stage path, see ArtifactRefs) to endpoint `name` and describes it
 * (the SQL function and the external-function service share it). An existing endpoint is its owner
 * role's to redeploy; a new one becomes `role`'s.
 */
export function deployModel(
  endpoints: EndpointManager,
  refs: ArtifactRefs,
  links: { readonly baseUrl: string | null },
  name: FunctionArg,
  ref: FunctionArg,
  role: string,
  owners: EndpointAccess,
): string {
  const endpoint = text(name, 'model (endpoint) name');
  const artifact = refs.resolve(text(ref, 'model artifact URI'), role);
  owners.deploying(role, endpoint);
  const d = endpoints.deploy(endpoint, artifact);
  return JSON.stringify({
    EndpointName: d.name,
    EndpointStatus: d.status,
    ArtifactUri: d.pendingArtifactUri ?? d.artifactUri,
    CreationTime: d.createdAt,
    Ping: links.baseUrl === null ? null : `${links.baseUrl}/endpoints/${encodeURIComponent(d.name)}/ping`,
    Invocations: links.baseUrl === null ? null : `${links.baseUrl}/endpoints/${encodeURIComponent(d.name)}/invocations`,
  });
}
