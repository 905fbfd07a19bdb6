import { describeJob, jobLogs, listJobs, startJob, stopJob, waitForJob } from '../handlers/index.js';
import { callerOf } from '../authenticate.js';
import { errorResponses } from '../schemas.js';
import { JobParams, StartJobBody, TrainingJobList, TrainingJobSchema, WaitQuery } from '../training-job-schemas.js';
import type { RouteArea } from './route-area.js';

const tags = ['training-jobs'];
const job = { 200: TrainingJobSchema, ...errorResponses };

export const trainingJobRoutes: RouteArea = (app, ctx) => {
  app.get(
    '/api/v1/training-jobs',
    { schema: { summary: 'List training jobs, newest first', tags, response: { 200: TrainingJobList } } },
    async (request) => listJobs(ctx, callerOf(request)),
  );

  app.post<{ Body: StartJobBody }>(
    '/api/v1/training-jobs',
    {
      schema: {
        summary: 'Start a training job',
        description:
          'Checks the request and both tables, then queues the job (201, status InProgress / Starting). The job reads the input ratings table, ' +
          "cross-validates, fits on every rating, writes each user's top-N to the output table and leaves a model artifact.",
        tags,
        body: StartJobBody,
        response: { 201: TrainingJobSchema, ...errorResponses, 429: errorResponses[400] },
      },
    },
    async (request, reply) => reply.code(201).send(await startJob(ctx, callerOf(request), request.body)),
  );

  app.get<{ Params: JobParams }>(
    '/api/v1/training-jobs/:name',
    {
      schema: {
        summary: 'Describe a training job: statuses with their transitions, metrics, artifact',
        tags,
        params: JobParams,
        response: job,
      },
    },
    async (request) => describeJob(ctx, callerOf(request), request.params.name),
  );

  app.get<{ Params: JobParams }>(
    '/api/v1/training-jobs/:name/logs',
    {
      schema: {
        summary: "A training job's log so far (text/plain)",
        tags,
        params: JobParams,
        response: {
          200: {
            description: 'Progress lines, the cross-validation table, the final figures, errors',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
    },
    // A string sent with a non-JSON content type bypasses the response serializer: the log goes out as is.
    async (request, reply) => reply.type('text/plain; charset=utf-8').send(await jobLogs(ctx, callerOf(request), request.params.name)),
  );

  app.post<{ Params: JobParams }>(
    '/api/v1/training-jobs/:name/stop',
    {
      schema: {
        summary: 'Stop a training job',
        description:
          'A queued job stops at once, a running one at its next step (Stopping, then Stopped). 409 when the job has already ended.',
        tags,
        params: JobParams,
        response: job,
      },
    },
    async (request) => stopJob(ctx, callerOf(request), request.params.name),
  );

  app.get<{ Params: JobParams; Querystring: WaitQuery }>(
    '/api/v1/training-jobs/:name/wait',
    {
      schema: {
        summary: 'Wait for a training job to end (long poll)',
        description: 'Answers with the job as soon as it has ended, or as it is when timeoutSeconds pass; check its status.',
        tags,
        params: JobParams,
        querystring: WaitQuery,
        response: job,
      },
    },
    async (request, reply) => {
      const gone = new AbortController();
      // The response closes early only when the client hangs up; stop waiting for it then.
      reply.raw.once('close', () => gone.abort());
      return waitForJob(ctx, callerOf(request), request.params.name, request.query.timeoutSeconds, gone.signal);
    },
  );
};
