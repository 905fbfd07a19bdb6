import { RecpipeError } from '../core/errors.js';
import {
  artifactFor,
  hasEnded,
  jobStateKey,
  type ControlClient,
  type EndpointDescription,
  type EndpointStatus,
  type JobObserver,
  type StartJobRequest,
  type TrainingJob,
} from './control-client.js';
import { requestJson, requestText } from './http-json.js';

/** How long each wait request holds the connection while following a job: the pace of status and log updates. */
const FOLLOW_POLL_SECONDS = 0.5;
const ENDPOINT_POLL_MS = 100;
/** A wait request may take its whole timeout; the socket gets this much more before it is given up on. */
const WAIT_SLACK_MS = 10_000;

const jobPath = (name: string) => `/api/v1/training-jobs/${encodeURIComponent(name)}`;
const endpointPath = (name: string) => `/api/v1/endpoints/${encodeURIComponent(name)}`;

/** Jobs and endpoints through a running recpipe server's API. */
export class HttpControlClient implements ControlClient {
  readonly mode = 'http';
  readonly url: string;
  readonly description: string;

  constructor(
    url: string,
    private readonly key?: string,
  ) {
    this.url = url.replace(/\/+$/, '');
    this.description = `connected to recpipe server at ${this.url}`;
  }

  async listJobs(): Promise<TrainingJob[]> {
    return (await requestJson<{ trainingJobs: TrainingJob[] }>(this.url, 'GET', '/api/v1/training-jobs', { key: this.key })).trainingJobs;
  }

  describeJob(name: string): Promise<TrainingJob> {
    return requestJson(this.url, 'GET', jobPath(name), { key: this.key });
  }

  jobLogs(name: string): Promise<string> {
    return requestText(this.url, 'GET', `${jobPath(name)}/logs`, { key: this.key });
  }

  stopJob(name: string): Promise<TrainingJob> {
    return requestJson(this.url, 'POST', `${jobPath(name)}/stop`, { key: this.key });
  }

  startJob(request: StartJobRequest): Promise<TrainingJob> {
    return requestJson(this.url, 'POST', '/api/v1/training-jobs', { body: request, key: this.key });
  }

  /** One long poll: the job when it ends, or as it is after `seconds`. */
  waitJob(name: string, seconds: number): Promise<TrainingJob> {
    const s = Math.max(0, Math.round(seconds * 1000) / 1000);
    return requestJson(this.url, 'GET', `${jobPath(name)}/wait?timeoutSeconds=${s}`, {
      timeoutMs: s * 1000 + WAIT_SLACK_MS,
      key: this.key,
    });
  }

  /** Alternates a short long poll with a read of the log, reporting the log's new complete lines. */
  async followJob(name: string, observer: JobObserver, timeoutMs?: number): Promise<TrainingJob> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    let shown = 0;
    let lastState = '';
    for (;;) {
      const left = (deadline - Date.now()) / 1000;
      const job = await this.waitJob(name, Math.max(0, Math.min(FOLLOW_POLL_SECONDS, left)));
      const done = hasEnded(job) || left <= 0;
      const log = await this.jobLogs(name);
      // Only whole lines, unless the job is over: a line still being appended is shown next time.
      const end = done ? log.length : log.lastIndexOf('\n') + 1;
      if (end > shown) {
        for (const line of log.slice(shown, end).replace(/\n$/, '').split('\n')) observer.log?.(line);
        shown = end;
      }
      const state = jobStateKey(job);
      if (state !== lastState) observer.update?.(job);
      lastState = state;
      if (done) return job;
    }
  }

  async listEndpoints(): Promise<EndpointDescription[]> {
    return (await requestJson<{ endpoints: EndpointDescription[] }>(this.url, 'GET', '/api/v1/endpoints', { key: this.key })).endpoints;
  }

  describeEndpoint(name: string): Promise<EndpointDescription> {
    return requestJson(this.url, 'GET', endpointPath(name), { key: this.key });
  }

  async deploy(name: string, artifactOrJob: string): Promise<EndpointDescription> {
    const artifactUri = await artifactFor(artifactOrJob, (job) => this.describeJob(job));
    return requestJson(this.url, 'POST', '/api/v1/endpoints', { body: { name, artifactUri }, key: this.key });
  }

  async waitForEndpoint(name: string, status: EndpointStatus, timeoutMs: number): Promise<EndpointDescription> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await this.describeEndpoint(name);
      if (d.status === status) return d;
      if (d.status === 'Failed')
        throw new RecpipeError('FAILED_PRECONDITION', `Endpoint ${name} failed: ${d.failureReason}`, { endpoint: name });
      if (Date.now() >= deadline)
        throw new RecpipeError(
          'FAILED_PRECONDITION',
          `Endpoint ${name} did not become ${status} within ${timeoutMs} ms (status ${d.status})`,
          { endpoint: name },
        );
      await new Promise((r) => setTimeout(r, ENDPOINT_POLL_MS));
    }
  }

  deleteEndpoint(name: string): Promise<EndpointDescription> {
    return requestJson(this.url, 'DELETE', endpointPath(name), { key: this.key });
  }

  /** Nothing to release: requests share the module's keep-alive agent. */
  async close(): Promise<void> {}
}
