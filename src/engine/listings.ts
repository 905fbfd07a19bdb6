import type { EndpointManager } from '../endpoints/index.js';
import { columnsText, type JobManager, type TrainingJob } from '../jobs/index.js';
import type { ObjectListing } from '../sql/index.js';
import type { EndpointAccess } from './endpoint-access.js';
import type { JobAccess } from './job-access.js';

const table = (t: { database: string; schema: string; name: string }) => `${t.database}.${t.schema}.${t.name}`;

/** SHOW TRAINING JOBS / DESCRIBE TRAINING JOB name: SageMaker's ListTrainingJobs and DescribeTrainingJob in SQL. */
export function trainingJobListing(jobs: JobManager, owners: JobAccess): ObjectListing {
  const find = (name: string): TrainingJob | null => jobs.list().find((j) => j.name === name) ?? null;
  return {
    owned: { kind: 'TRAINING JOB', owner: (name) => owners.owner(name) },
    plural: ['TRAINING', 'JOBS'],
    singular: ['TRAINING', 'JOB'],
    columns: [
      'name',
      'status',
      'secondary_status',
      'input_table',
      'output_table',
      'algorithm',
      'mean_rmse:FLOAT',
      'created_on:TIMESTAMP_LTZ',
      'total_seconds:FLOAT',
      'artifact',
      'failure_reason',
    ],
    list: () =>
      jobs
        .list()
        .map((j) => [
          j.name,
          j.status,
          j.secondaryStatus,
          table(j.spec.input),
          table(j.spec.output),
          j.spec.algorithm,
          j.metrics?.cv?.mean.rmse ?? null,
          j.creationTime,
          j.metrics?.phases.totalSeconds ?? null,
          j.artifactUri,
          j.failureReason ?? j.stopReason,
        ]),
    describe(name) {
      const j = find(name);
      if (!j) return null;
      return [
        ['TrainingJobName', j.name],
        ['TrainingJobId', j.id],
        ['TrainingJobStatus', j.status],
        ['SecondaryStatus', j.secondaryStatus],
        ['InputTable', table(j.spec.input)],
        ['OutputTable', table(j.spec.output)],
        ['Warehouse', j.spec.warehouse ?? 'this home'],
        ['InputColumns', j.columns ? columnsText(j.columns).input : null],
        ['OutputColumns', j.columns ? columnsText(j.columns).output : null],
        ['Algorithm', j.spec.algorithm],
        ['HyperParameters', j.spec.hyperparameters],
        ['Search', j.spec.search ?? null],
        ['SearchBest', j.metrics?.search?.best ?? null],
        ['SearchResultsTable', j.spec.resultsTable ? table(j.spec.resultsTable) : null],
        ['Folds', j.spec.folds],
        ['TopN', j.spec.topN],
        ['Seed', j.spec.seed],
        ['MaxRuntimeInSeconds', j.spec.maxRuntimeSeconds],
        ['CreationTime', j.creationTime],
        ['TrainingStartTime', j.trainingStartTime],
        ['TrainingEndTime', j.trainingEndTime],
        ['LastModifiedTime', j.lastModifiedTime],
        ['FailureReason', j.failureReason],
        ['StopReason', j.stopReason],
        ['ModelArtifact', j.artifactUri],
        ['FinalMetrics', j.metrics],
        ['SecondaryStatusTransitions', j.secondaryStatusTransitions],
      ];
    },
  };
}

/** SHOW ENDPOINTS / DESCRIBE ENDPOINT name: SageMaker's ListEndpoints and DescribeEndpoint in SQL. */
export function endpointListing(endpoints: EndpointManager, owners: EndpointAccess): ObjectListing {
  return {
    owned: { kind: 'ENDPOINT', owner: (name) => owners.owner(name) },
    plural: ['ENDPOINTS'],
    singular: ['ENDPOINT'],
    columns: [
      'name',
      'status',
      'artifact',
      'algorithm',
      'users:NUMBER',
      'items:NUMBER',
      'created_on:TIMESTAMP_LTZ',
      'last_modified_on:TIMESTAMP_LTZ',
      'failure_reason',
    ],
    list: () =>
      endpoints
        .list()
        .map((d) => [
          d.name,
          d.status,
          d.artifactUri,
          d.model?.algorithm ?? null,
          d.model?.users ?? null,
          d.model?.items ?? null,
          d.createdAt,
          d.lastModifiedAt,
          d.failureReason ?? null,
        ]),
    describe(name) {
      const d = endpoints.list().find((e) => e.name === name);
      if (!d) return null;
      return [
        ['EndpointName', d.name],
        ['EndpointStatus', d.status],
        ['ArtifactUri', d.artifactUri],
        ['PendingArtifactUri', d.pendingArtifactUri ?? null],
        ['FailureReason', d.failureReason ?? null],
        ['CreationTime', d.createdAt],
        ['LastModifiedTime', d.lastModifiedAt],
        ['Model', d.model ?? null],
      ];
    },
  };
}
