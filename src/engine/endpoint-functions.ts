import { RecpipeError } from '../core/index.js';
import type { EndpointManager } from '../endpoints/index.js';
import { JOB_NAME_PATTERN, type JobManager } from '../jobs/index.js';
import { idToJson } from '../training/index.js';
import type { FunctionArg, ScalarFunctionSpec } from '../warehouse/index.js';

const text = (v: FunctionArg, what: string): string => {
  if (typeof v !== 'string' || v.trim() === '') throw new Error(`${what} must be a non-empty string, got ${v === null ? 'NULL' : JSON.stringify(v)}`);
  return v.trim();
};

/**
 * The guide's endpoint functions as SQL: deploy_model(name, artifact) starts a deployment and
 * answers at once; invoke_model(name, user, item) scores whole batches from the model in memory;
 * recommend(name, user, k) gives the user's top-k unrated items. Ids of any type (INT, FLOAT,
 * VARCHAR) name the same user, as the guide's FLOAT no_ratings table needs.
 */
export function endpointFunctions(endpoints: EndpointManager, jobs: JobManager, links: { readonly baseUrl: string | null }): ScalarFunctionSpec[] {
  return [
    {
      name: 'deploy_model',
      parameters: ['ANY', 'ANY'],
      returns: 'JSON',
      invoke: (args, rows) => Array.from({ length: rows }, (_, r) => (args[0][r] === null || args[1][r] === null ? null : deployModel(endpoints, jobs, links, args[0][r], args[1][r]))),
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
        for (let r = 0; r < rows; r++) out[r] = names[r] === null ? Number.NaN : (endpoints.invokeOne(names[r], users[r], items[r]) ?? Number.NaN);
        return out;
      },
    },
    {
      name: 'recommend',
      parameters: ['ANY', 'ANY', 'ANY'],
      returns: 'JSON',
      invoke: ([names, users, ks], rows) =>
        Array.from({ length: rows }, (_, r) => {
          if (names[r] === null || users[r] === null || ks[r] === null) return null;
          const rec = endpoints.recommend(names[r], users[r], ks[r]);
          return rec === null ? null : JSON.stringify(rec.items.map(idToJson));
        }),
    },
  ];
}

/**
 * One deploy_model row: starts deploying `ref` (an artifact URI, or a training job whose model the
 * guide copies in) to endpoint `name` and describes it (the SQL function and the external-function service share it).
 */
export function deployModel(endpoints: EndpointManager, jobs: JobManager, links: { readonly baseUrl: string | null }, name: FunctionArg, ref: FunctionArg): string {
  const artifact = text(ref, 'model artifact URI');
  const d = endpoints.deploy(text(name, 'model (endpoint) name'), JOB_NAME_PATTERN.test(artifact) ? jobArtifact(jobs, artifact) : artifact);
  return JSON.stringify({
    EndpointName: d.name,
    EndpointStatus: d.status,
    ArtifactUri: d.pendingArtifactUri ?? d.artifactUri,
    CreationTime: d.createdAt,
    Ping: links.baseUrl === null ? null : `${links.baseUrl}/endpoints/${encodeURIComponent(d.name)}/ping`,
    Invocations: links.baseUrl === null ? null : `${links.baseUrl}/endpoints/${encodeURIComponent(d.name)}/invocations`,
  });
}

function jobArtifact(jobs: JobManager, name: string): string {
  const job = jobs.get(name);
  if (job.status !== 'Completed' || !job.artifactUri) {
    throw new RecpipeError('FAILED_PRECONDITION', `training job ${name} is ${job.status}${job.failureReason ? ` (${job.failureReason})` : ''}; deploy a Completed job's model`);
  }
  return job.artifactUri;
}
