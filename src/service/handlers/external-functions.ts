import { invalid } from '../../core/errors.js';
import { deployModel, describeJobStart, trainRequest } from '../../engine/index.js';
import type { ArgValue, Batch, BatchHeaders, Signature } from '../../ext-protocol/index.js';
import { parseObjectName } from '../../sql/index.js';
import { idToJson } from '../../training/index.js';
import type { FunctionArg } from '../../warehouse/index.js';
import type { ServiceContext } from '../context.js';

/** One external function the service answers: its signature and how it turns a batch into one value per row. */
export interface ExternalFunction {
  readonly signature: Signature;
  run(ctx: ServiceContext, batch: Batch, call: ExternalCall): unknown[] | Promise<unknown[]>;
}

/** Who calls and from where: the batch's `sf-*` headers and the role of the caller's API key. */
export interface ExternalCall extends BatchHeaders {
  readonly role: string;
}

const rows = (batch: Batch): number => batch.rowNumbers.length;
const isNull = (v: ArgValue | undefined): boolean => v === null || v === undefined;

function name(v: ArgValue, what: string, row: number): string {
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`row ${row}: ${what} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v.trim();
}

/** A context header's name as one identifier (it comes from the caller, so it is parsed, never trusted). */
function contextName(v: string | null, header: string): string | null {
  if (v === null) return null;
  const parts = parseObjectName(v);
  if (parts.length !== 1) throw invalid(`${header} must be one identifier, got '${v}'`);
  return parts[0];
}

/**
 * train_and_get_recommendations(input_table, output_table [, options]) → the job descriptor. Every row
 * is checked before any job starts, so a bad row fails the batch without leaving jobs behind.
 */
export const trainFunction: ExternalFunction = {
  signature: { name: 'train_and_get_recommendations', params: ['input_table_name', 'output_table_name', 'options'], required: 2 },
  run(ctx, batch, h) {
    const [inputs, outputs, opts] = batch.args;
    const database = contextName(h.database, 'sf-context-current-database');
    // A database alone means its PUBLIC schema, as a Snowflake session that only sets a database.
    const schema = contextName(h.schema, 'sf-context-current-schema') ?? (database === null ? null : 'PUBLIC');
    const names = { database, schema, role: h.role };
    const requests = batch.rowNumbers.map((row, r) => {
      if (isNull(inputs[r]) || isNull(outputs[r])) return null;
      try {
        return trainRequest(inputs[r] as FunctionArg, outputs[r] as FunctionArg, opts[r] as FunctionArg, names);
      } catch (e) {
        (e as Error).message = `row ${row}: ${(e as Error).message}`;
        throw e;
      }
    });
    const { jobs, jobAccess } = ctx.engine;
    // With a linked warehouse the tables are the caller's, in a session with the caller's context there
    // (and that warehouse checks them); here the key's role needs what the SQL function needs.
    const source = ctx.warehouseLink?.source({ ...(database === null ? {} : { database }), ...(schema === null ? {} : { schema }) });
    if (!source) for (const req of requests) if (req !== null) jobAccess.checkReads(h.role, [req.input]);
    return requests.map((req) => {
      if (req === null) return null;
      const job = jobs.submit(req, undefined, source, source ? undefined : jobAccess.authorizer(h.role));
      return JSON.parse(describeJobStart(job, jobs.artifactLocation(job.name), ctx.engine.links.baseUrl)) as unknown;
    });
  },
};

interface DeployOptions {
  wait: boolean;
  timeoutMs: number | undefined;
}

function deployOptions(v: ArgValue, row: number): DeployOptions {
  if (v === null) return { wait: false, timeoutMs: undefined };
  const o = typeof v === 'string' ? safeParse(v) : v;
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw invalid(`row ${row}: deploy options must be a JSON object such as {"wait": true}, got ${JSON.stringify(v)}`);
  const known = new Set(['wait', 'timeout_seconds']);
  for (const k of Object.keys(o))
    if (!known.has(k.toLowerCase())) throw invalid(`row ${row}: unknown deploy option '${k}'; known: wait, timeout_seconds`);
  const get = (k: string): unknown => Object.entries(o).find(([key]) => key.toLowerCase() === k)?.[1];
  const wait = get('wait') ?? false;
  const timeout = get('timeout_seconds');
  if (typeof wait !== 'boolean') throw invalid(`row ${row}: deploy option wait must be true or false, got ${JSON.stringify(wait)}`);
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && timeout <= 3600)) {
    throw invalid(`row ${row}: deploy option timeout_seconds must be a number of seconds in (0, 3600], got ${JSON.stringify(timeout)}`);
  }
  return { wait, timeoutMs: timeout === undefined ? undefined : timeout * 1000 };
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/**
 * deploy_model(model_name, artifact_or_job [, options]) → the endpoint descriptor. With
 * `{"wait": true}` the answer comes once the endpoint is InService (the slow case async mode is for).
 */
export const deployFunction: ExternalFunction = {
  signature: { name: 'deploy_model', params: ['model_name', 'artifact_or_job', 'options'], required: 2 },
  async run(ctx, batch, call) {
    const [models, refs, opts] = batch.args;
    const checked = batch.rowNumbers.map((row, r) =>
      isNull(models[r]) || isNull(refs[r])
        ? null
        : { model: name(models[r], 'model_name', row), ref: name(refs[r], 'artifact_or_job', row), ...deployOptions(opts[r], row) },
    );
    const { endpoints, artifactRefs, links, endpointAccess } = ctx.engine;
    const started = checked.map((c) =>
      c === null
        ? null
        : {
            ...c,
            descriptor: JSON.parse(deployModel(endpoints, artifactRefs, links, c.model, c.ref, call.role, endpointAccess)) as Record<
              string,
              unknown
            >,
          },
    );
    await endpointAccess.recorded();
    return Promise.all(
      started.map(async (s) => {
        if (s === null || !s.wait) return s?.descriptor ?? null;
        const d = await endpoints.waitFor(s.model, 'InService', s.timeoutMs);
        return { ...s.descriptor, EndpointStatus: d.status, ArtifactUri: d.artifactUri };
      }),
    );
  },
};

/**
 * invoke_model(model_name, user, item) → the predicted rating, null where an argument is NULL. Rows
 * are grouped by model and each group scored in one vectorised call.
 */
export const invokeFunction: ExternalFunction = {
  signature: { name: 'invoke_model', params: ['model_name', 'user', 'item'], required: 3 },
  run(ctx, batch) {
    const [models, users, items] = batch.args;
    const n = rows(batch);
    const out: (number | null)[] = new Array<number | null>(n).fill(null);
    const groups = new Map<string, number[]>();
    for (let r = 0; r < n; r++) {
      const m = models[r];
      if (m === null) continue;
      if (typeof m !== 'string') throw invalid(`row ${batch.rowNumbers[r]}: model_name must be a string, got ${JSON.stringify(m)}`);
      let g = groups.get(m);
      if (!g) groups.set(m, (g = []));
      g.push(r);
    }
    for (const [model, idx] of groups) {
      const single = idx.length === n;
      const u = single ? users : idx.map((r) => users[r]);
      const i = single ? items : idx.map((r) => items[r]);
      const scores = new Float64Array(idx.length);
      ctx.engine.endpoints.invokeBatch(model, u, i, scores);
      for (let k = 0; k < idx.length; k++) out[idx[k]] = Number.isNaN(scores[k]) ? null : scores[k];
    }
    return out;
  },
};

/** recommend(model_name, user, k) → the user's top-k unrated items, null where an argument is NULL. */
export const recommendFunction: ExternalFunction = {
  signature: { name: 'recommend', params: ['model_name', 'user', 'k'], required: 3 },
  run(ctx, batch) {
    const [models, users, ks] = batch.args;
    return batch.rowNumbers.map((row, r) => {
      if (isNull(models[r]) || isNull(users[r]) || isNull(ks[r])) return null;
      const rec = ctx.engine.endpoints.recommend(name(models[r], 'model_name', row), users[r], ks[r]);
      return rec === null ? null : rec.items.map(idToJson);
    });
  },
};

/** The functions by the last segment of their URL: POST /ext/<name>. */
export const externalFunctions: Readonly<Record<string, ExternalFunction>> = {
  train: trainFunction,
  deploy: deployFunction,
  invoke: invokeFunction,
  recommend: recommendFunction,
};
