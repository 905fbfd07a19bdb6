import { Type, type Static } from '@sinclair/typebox';

/**
 * Schemas of the training-jobs area. Response objects allow additional properties: fastify
 * serialises replies through these schemas, and a field the job manager adds later must reach
 * clients rather than be dropped silently.
 */
const open = { additionalProperties: true } as const;
const NullableString = Type.Union([Type.String(), Type.Null()]);

const TableNameSchema = Type.Object({ database: Type.String(), schema: Type.String(), name: Type.String() }, open);

const JobStatusSchema = Type.Union(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'].map((s) => Type.Literal(s)));
const SecondaryStatusSchema = Type.Union(
  ['Starting', 'Downloading', 'Training', 'Uploading', 'Stopping', 'Completed', 'Failed', 'Stopped', 'MaxRuntimeExceeded'].map((s) =>
    Type.Literal(s),
  ),
);

const MeanStdSchema = Type.Object({ rmse: Type.Number(), mae: Type.Number(), fitSeconds: Type.Number(), testSeconds: Type.Number() }, open);

const MetricsSchema = Type.Object(
  {
    data: Type.Object(
      {
        rowsRead: Type.Integer(),
        ratings: Type.Integer(),
        duplicates: Type.Integer(),
        users: Type.Integer(),
        items: Type.Integer(),
        scale: Type.Object({ min: Type.Number(), max: Type.Number() }),
      },
      open,
    ),
    cv: Type.Union([
      Type.Object(
        {
          folds: Type.Array(
            Type.Object(
              {
                fold: Type.Integer(),
                rmse: Type.Number(),
                mae: Type.Number(),
                fitSeconds: Type.Number(),
                testSeconds: Type.Number(),
                trainRmse: Type.Optional(Type.Array(Type.Number(), { description: 'Training RMSE after each epoch' })),
                testRmse: Type.Optional(
                  Type.Array(Type.Number(), { description: "The fold's test RMSE after each epoch (the last is rmse)" }),
                ),
              },
              open,
            ),
          ),
          mean: MeanStdSchema,
          std: MeanStdSchema,
        },
        open,
      ),
      Type.Null(),
    ]),
    fullFit: Type.Object(
      {
        seconds: Type.Number(),
        trainRmse: Type.Array(Type.Number()),
        parallel: Type.Optional(Type.Literal('dsgd')),
        workers: Type.Optional(Type.Integer()),
      },
      open,
    ),
    topN: Type.Object({ n: Type.Integer(), users: Type.Integer(), seconds: Type.Number() }, open),
    rowsWritten: Type.Integer(),
    kernels: Type.String(),
    phases: Type.Object(
      {
        queuedSeconds: Type.Number(),
        downloadingSeconds: Type.Number(),
        trainingSeconds: Type.Number(),
        uploadingSeconds: Type.Number(),
        totalSeconds: Type.Number(),
      },
      open,
    ),
  },
  { ...open, description: 'Everything measured by a finished job; times in seconds.' },
);

const PhaseProgressSchema = Type.Object({ done: Type.Integer(), total: Type.Integer() });

export const TrainingJobSchema = Type.Object(
  {
    name: Type.String({ description: '`train-<yyyyMMdd-HHmmss>-<4 hex>`' }),
    id: Type.String({ description: 'A UUID' }),
    spec: Type.Object(
      {
        input: TableNameSchema,
        output: TableNameSchema,
        algorithm: Type.String(),
        hyperparameters: Type.Object({}, { ...open, description: 'The complete parsed config, defaults filled in' }),
        search: Type.Optional(
          Type.Object({}, { ...open, description: 'The hyperparameter search as requested (its trials are in metrics.search)' }),
        ),
        folds: Type.Integer(),
        topN: Type.Integer(),
        seed: Type.Integer(),
        maxRuntimeSeconds: Type.Integer(),
      },
      open,
    ),
    columns: Type.Union([
      Type.Object(
        {
          input: Type.Object({ user: Type.String(), item: Type.String(), rating: Type.String() }, open),
          output: Type.Object({ user: Type.String(), recommendations: Type.String(), created: Type.Boolean() }, open),
        },
        { ...open, description: 'Which column holds what, once the tables have been checked' },
      ),
      Type.Null(),
    ]),
    status: JobStatusSchema,
    secondaryStatus: SecondaryStatusSchema,
    secondaryStatusTransitions: Type.Array(
      Type.Object(
        { status: SecondaryStatusSchema, startTime: Type.String(), endTime: Type.Optional(Type.String()), statusMessage: Type.String() },
        open,
      ),
    ),
    creationTime: Type.String(),
    trainingStartTime: NullableString,
    trainingEndTime: NullableString,
    lastModifiedTime: Type.String(),
    failureReason: NullableString,
    stopReason: NullableString,
    progress: Type.Union([
      Type.Object(
        { cv: Type.Optional(PhaseProgressSchema), fit: Type.Optional(PhaseProgressSchema), 'top-n': Type.Optional(PhaseProgressSchema) },
        open,
      ),
      Type.Null(),
    ]),
    metrics: Type.Union([MetricsSchema, Type.Null()]),
    artifactUri: Type.Union([Type.String({ description: 'Deploy it with POST /api/v1/endpoints' }), Type.Null()]),
  },
  { ...open, description: 'A training job, as SageMaker DescribeTrainingJob reports one.' },
);

export const TrainingJobList = Type.Object({ trainingJobs: Type.Array(TrainingJobSchema, { description: 'Newest first' }) });

export const JobParams = Type.Object({ name: Type.String({ minLength: 1 }) });
export type JobParams = Static<typeof JobParams>;

/** The longest a wait request may hold its connection. */
export const MAX_WAIT_SECONDS = 300;
export const DEFAULT_WAIT_SECONDS = 30;

export const WaitQuery = Type.Object(
  {
    // Query strings are text and the service never coerces types, so the number is checked as a pattern.
    timeoutSeconds: Type.Optional(
      Type.String({
        pattern: '^[0-9]+(\\.[0-9]+)?$',
        description: `Seconds to wait for the job to end (default ${DEFAULT_WAIT_SECONDS}, at most ${MAX_WAIT_SECONDS})`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type WaitQuery = Static<typeof WaitQuery>;

const Table = (what: string) =>
  Type.String({
    minLength: 1,
    description: `${what} table: name, schema.name or database.schema.name, resolved like SQL (session, or database/schema given here)`,
  });

export const StartJobBody = Type.Object(
  {
    input: Table('Ratings (input)'),
    output: Table('Recommendations (output)'),
    algorithm: Type.Optional(Type.String({ minLength: 1, description: 'svd (default), svdpp, baseline; Surprise class names work too' })),
    hyperparameters: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: "Surprise's names accepted: n_factors, n_epochs, lr_all, reg_all…" }),
    ),
    search: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'A hyperparameter search whose best model becomes the job\'s: {"algorithms": [...], "time_budget": s} (TPE), {"param_grid": {...}} or {"param_distributions": {...}, "n_iter": n}; "results_table" names a table (resolved like input) that gets every trial',
        },
      ),
    ),
    timestampColumn: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The input's column of rating times (TIMESTAMP, DATE or epoch seconds) for time-aware models such as timesvd; default a column named TIMESTAMP, TS or TIME",
      }),
    ),
    folds: Type.Optional(Type.Integer({ description: 'K-fold cross-validation (default 5); 0 skips it' })),
    topN: Type.Optional(Type.Integer({ description: 'Recommendations per user (default 10)' })),
    seed: Type.Optional(Type.Integer()),
    maxRuntimeSeconds: Type.Optional(Type.Integer({ description: 'Default one day' })),
    deployTo: Type.Optional(
      Type.String({ minLength: 1, description: 'Deploy the model to this endpoint when the job completes (deploy_to in SQL)' }),
    ),
    deployPolicy: Type.Optional(
      Type.Union([Type.Literal('always'), Type.Literal('if_better')], {
        description: 'always, or if_better (default): only when it beats the endpoint model on holdoutTable by deployMargin',
      }),
    ),
    holdoutTable: Type.Optional(Table('Held-out ratings (user, item, rating) both models are scored on; needed by if_better')),
    deployMargin: Type.Optional(Type.Number({ description: 'Relative RMSE improvement if_better needs, in [0, 1) (default 0.01)' })),
    wait: Type.Optional(
      Type.Boolean({
        description: `Answer once the job has ended (and its deploy decision is made), or after ${MAX_WAIT_SECONDS} s with the job as it is then`,
      }),
    ),
    sessionId: Type.Optional(
      Type.String({ minLength: 1, description: 'Resolve table names in this SQL session (its current database and schema)' }),
    ),
    database: Type.Optional(Type.String({ minLength: 1, description: 'Current database for table names (instead of sessionId)' })),
    schema: Type.Optional(
      Type.String({ minLength: 1, description: 'Current schema for table names (default PUBLIC when database is given)' }),
    ),
  },
  { additionalProperties: false },
);
export type StartJobBody = Static<typeof StartJobBody>;
