import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecpipeError } from '../core/errors.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

/** A request as the client sent it, kept so Describe* can answer it back (SageMaker echoes its inputs). */
export type AwsRequest = Readonly<Record<string, unknown>>;

export interface TrainingJobRecord {
  /** The recpipe job it runs as (`train-…`). */
  readonly job: string;
  readonly request: AwsRequest;
}

export interface ModelRecord {
  /** The artifact the model serves, resolved when it was created. */
  readonly artifactUri: string;
  readonly request: AwsRequest;
  readonly createdAt: string;
}

export interface EndpointConfigRecord {
  readonly request: AwsRequest;
  readonly createdAt: string;
}

export interface EndpointRecord {
  readonly config: string;
  /** The production variant's name, answered in x-amzn-invoked-production-variant. */
  readonly variant: string;
}

interface RecordFile {
  version: 1;
  trainingJobs: Record<string, TrainingJobRecord>;
  models: Record<string, ModelRecord>;
  endpointConfigs: Record<string, EndpointConfigRecord>;
  endpoints: Record<string, EndpointRecord>;
}

export const SAGEMAKER_RECORDS_FILE = 'sagemaker.json';

type Kind = Exclude<keyof RecordFile, 'version'>;

/**
 * What SageMaker's control plane knows beyond recpipe's jobs and endpoints: training-job names and
 * their requests, models, endpoint configs, which config each endpoint runs. One owner-only file in
 * the home, replaced atomically at each change (control-plane calls are rare).
 */
export class SageMakerRecords {
  private data: RecordFile;

  constructor(readonly home: string) {
    this.data = load(this.file);
  }

  get file(): string {
    return join(this.home, SAGEMAKER_RECORDS_FILE);
  }

  get<K extends Kind>(kind: K, name: string): RecordFile[K][string] | undefined {
    return Object.hasOwn(this.data[kind], name) ? (this.data[kind][name] as RecordFile[K][string]) : undefined;
  }

  entries<K extends Kind>(kind: K): [string, RecordFile[K][string]][] {
    return Object.entries(this.data[kind]) as [string, RecordFile[K][string]][];
  }

  put<K extends Kind>(kind: K, name: string, value: RecordFile[K][string]): void {
    this.save({ ...this.data, [kind]: { ...this.data[kind], [name]: value } });
  }

  remove(kind: Kind, name: string): void {
    if (!Object.hasOwn(this.data[kind], name)) return;
    const { [name]: _, ...rest } = this.data[kind];
    this.save({ ...this.data, [kind]: rest });
  }

  /** The SageMaker name of a recpipe job, when it was created through the control plane. */
  trainingJobNameOf(job: string): string | undefined {
    return this.entries('trainingJobs').find(([, r]) => r.job === job)?.[0];
  }

  private save(next: RecordFile): void {
    writeFileAtomicSync(this.file, JSON.stringify(next, null, 2) + '\n');
    this.data = next;
  }
}

function load(file: string): RecordFile {
  const empty: RecordFile = { version: 1, trainingJobs: {}, models: {}, endpointConfigs: {}, endpoints: {} };
  if (!existsSync(file)) return empty;
  let parsed: Partial<RecordFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RecordFile>;
  } catch (e) {
    throw new RecpipeError('FAILED_PRECONDITION', `${file} is not valid JSON (${(e as Error).message}); restore it or remove it`);
  }
  if (parsed?.version !== 1) throw new RecpipeError('FAILED_PRECONDITION', `${file} is not a recpipe SageMaker record file (version 1)`);
  for (const kind of ['trainingJobs', 'models', 'endpointConfigs', 'endpoints'] as const) {
    const v = parsed[kind];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v)))
      throw new RecpipeError('FAILED_PRECONDITION', `${file}: ${kind} must be an object of name: record`);
  }
  return { ...empty, ...parsed } as RecordFile;
}
