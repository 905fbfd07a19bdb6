import { readArtifact } from '../artifacts/index.js';
import { challengerWins, invalid, scoreOnHoldout, type HoldoutRatings, type HoldoutScore, type ScoringModel } from '../core/index.js';
import type { EndpointManager } from '../endpoints/endpoint-manager.js';
import { ModelRuntime } from '../endpoints/model-runtime.js';
import type { JobManager, TrainingJob } from '../jobs/index.js';
import { displayName, type TableName, type Warehouse } from '../warehouse/index.js';

/** Where a training call asks its model to go when the job completes. */
export interface DeployRequest {
  readonly endpoint: string;
  readonly policy: 'always' | 'if_better';
  /** Held-out ratings (user, item, rating: the table's first three columns) both models are scored on. */
  readonly holdout: TableName | null;
  /** Relative RMSE improvement the challenger needs under if_better (0.01 = 1%). */
  readonly margin: number;
}

export interface DeployDecision {
  readonly endpoint: string;
  readonly job: string;
  readonly deployed: boolean;
  readonly reason: string;
  readonly challenger: HoldoutScore | null;
  readonly champion: HoldoutScore | null;
}

const VERSIONS = '"RECPIPE"."PUBLIC"."ENDPOINT_VERSIONS"';

/**
 * Endpoint version history and deploy-when-done with judgement. Every deploy (deploy_model or a
 * policy) is a version; a policy decision that keeps the current model is recorded too, with both
 * scores, so the history says why an endpoint did not change. Rolling back is deploy_model with an
 * older version's artifact (SHOW ENDPOINT VERSIONS lists them).
 */
export class Deployments {
  private readonly decisions = new Map<string, Promise<DeployDecision>>();
  private rows: unknown[][] = [];

  private constructor(
    private readonly wh: Warehouse,
    private readonly endpoints: EndpointManager,
    private readonly jobs: JobManager,
  ) {}

  static async open(wh: Warehouse, endpoints: EndpointManager, jobs: JobManager): Promise<Deployments> {
    await wh.run(`CREATE TABLE IF NOT EXISTS ${VERSIONS} (ENDPOINT_NAME VARCHAR NOT NULL, VERSION BIGINT, ARTIFACT VARCHAR NOT NULL, TRAINING_JOB VARCHAR,
      DECIDED_ON TIMESTAMPTZ NOT NULL, POLICY VARCHAR NOT NULL, DEPLOYED BOOLEAN NOT NULL, REASON VARCHAR, HOLDOUT_TABLE VARCHAR, HOLDOUT_ROWS BIGINT,
      CHALLENGER_RMSE DOUBLE, CURRENT_RMSE DOUBLE, CHALLENGER_PRECISION_AT_10 DOUBLE, CURRENT_PRECISION_AT_10 DOUBLE)`);
    const d = new Deployments(wh, endpoints, jobs);
    await d.refresh();
    return d;
  }

  /** SHOW ENDPOINT VERSIONS rows (synchronous, as listings are). */
  list(): unknown[][] {
    return this.rows;
  }

  /** Starts judging `job` once it ends; `decided(job)` answers the outcome. */
  follow(job: string, request: DeployRequest): void {
    const decision = this.jobs.wait(job).then((j) => this.decide(j, request));
    decision.catch(() => undefined);
    this.decisions.set(job, decision);
  }

  decided(job: string): Promise<DeployDecision> | undefined {
    return this.decisions.get(job);
  }

  /** Records a deploy_model call as a new version. */
  async recordManual(endpoint: string, artifact: string): Promise<void> {
    await this.record(
      { endpoint, job: '', deployed: true, reason: 'deploy_model', challenger: null, champion: null },
      artifact,
      'manual',
      null,
    );
  }

  private async decide(job: TrainingJob, req: DeployRequest): Promise<DeployDecision> {
    const base = { endpoint: req.endpoint, job: job.name };
    if (job.status !== 'Completed' || !job.artifactUri) {
      return this.finish(
        { ...base, deployed: false, reason: `training job ended ${job.status}`, challenger: null, champion: null },
        job.artifactUri ?? '',
        req,
      );
    }
    const current = this.endpoints.list().find((e) => e.name === req.endpoint && e.status === 'InService');
    if (req.policy === 'always' || !current) {
      await this.deploy(req.endpoint, job.artifactUri);
      return this.finish(
        {
          ...base,
          deployed: true,
          reason: req.policy === 'always' ? 'policy always' : 'no model in service to compare with',
          challenger: null,
          champion: null,
        },
        job.artifactUri,
        req,
      );
    }
    const holdout = await this.readHoldout(req.holdout!);
    const challenger = scoreOnHoldout(scoring(new ModelRuntime(await readArtifact(job.artifactUri))), holdout);
    const champion = scoreOnHoldout(scoring(this.endpoints.serving(req.endpoint)), holdout);
    const wins = challengerWins(challenger, champion, req.margin);
    if (wins) await this.deploy(req.endpoint, job.artifactUri);
    const figures = `RMSE ${challenger.rmse.toFixed(4)} vs ${champion.rmse.toFixed(4)}, precision@10 ${challenger.precisionAtK.toFixed(4)} vs ${champion.precisionAtK.toFixed(4)}`;
    const reason = wins
      ? `challenger better by the margin ${req.margin}: ${figures}`
      : `current model kept (challenger not better by the margin ${req.margin}): ${figures}`;
    return this.finish({ ...base, deployed: wins, reason, challenger, champion }, job.artifactUri, req);
  }

  private async deploy(endpoint: string, artifact: string): Promise<void> {
    this.endpoints.deploy(endpoint, artifact);
    await this.endpoints.waitFor(endpoint, 'InService');
  }

  private async finish(d: DeployDecision, artifact: string, req: DeployRequest): Promise<DeployDecision> {
    await this.record(d, artifact, req.policy, req.holdout);
    return d;
  }

  private async record(d: DeployDecision, artifact: string, policy: string, holdout: TableName | null): Promise<void> {
    await this.wh.run(
      `INSERT INTO ${VERSIONS} SELECT ?, CASE WHEN ? THEN (SELECT count(*) + 1 FROM ${VERSIONS} WHERE ENDPOINT_NAME = ? AND DEPLOYED) END, ?, ?, current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?, ?`,
      [
        d.endpoint,
        d.deployed,
        d.endpoint,
        artifact,
        d.job || null,
        policy,
        d.deployed,
        d.reason,
        holdout ? displayName([holdout.database, holdout.schema, holdout.name]) : null,
        d.challenger?.rows ?? null,
        d.challenger?.rmse ?? null,
        d.champion?.rmse ?? null,
        d.challenger?.precisionAtK ?? null,
        d.champion?.precisionAtK ?? null,
      ],
    );
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    this.rows = (await this.wh.run(`SELECT * FROM ${VERSIONS} ORDER BY DECIDED_ON, ENDPOINT_NAME`)).rows;
  }

  private async readHoldout(table: TableName): Promise<HoldoutRatings> {
    const columns = await this.wh.tableColumns(table);
    if (columns === null || columns.length < 3)
      throw invalid(
        `holdout table ${displayName([table.database, table.schema, table.name])} must exist with (user, item, rating) as its first three columns`,
      );
    const [u, i, r] = columns;
    const read = await this.wh.readColumns(table, [
      { name: u.name, as: 'string' },
      { name: i.name, as: 'string' },
      { name: r.name, as: 'float64' },
    ]);
    return {
      users: read.columns[u.name] as string[],
      items: read.columns[i.name] as string[],
      ratings: read.columns[r.name] as Float64Array,
    };
  }
}

function scoring(runtime: ModelRuntime): ScoringModel {
  return {
    predict: (users, items, out) => runtime.scoreInto(users, items, out),
    top: (user, k) => runtime.recommend(user, k)?.items ?? [],
  };
}

export const VERSION_COLUMNS = [
  'endpoint_name',
  'version:NUMBER',
  'artifact',
  'training_job',
  'decided_on:TIMESTAMP_LTZ',
  'policy',
  'deployed:BOOLEAN',
  'reason',
  'holdout_table',
  'holdout_rows:NUMBER',
  'challenger_rmse:FLOAT',
  'current_rmse:FLOAT',
  'challenger_precision_at_10:FLOAT',
  'current_precision_at_10:FLOAT',
];
