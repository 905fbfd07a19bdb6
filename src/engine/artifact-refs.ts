import { realpathSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RecpipeError } from '../core/index.js';
import type { AccessControl } from '../access/index.js';
import { JOB_NAME_PATTERN, type JobManager } from '../jobs/index.js';
import { parseObjectName, type StageStore } from '../sql/index.js';

/**
 * What deploy_model (SQL and /ext/deploy) and key holders' deploys accept: a training job's name, an
 * artifact of this home's store (`file://<home>/artifacts/…`), or a stage path (`@db.schema.stage/dir`,
 * READ on the stage needed). Anything else gets the same answer, whether or not a file is there, so
 * a deploy never tells a caller which host paths exist.
 */
export class ArtifactRefs {
  constructor(
    private readonly jobs: JobManager,
    private readonly artifactRoot: string,
    private readonly stages: StageStore,
    private readonly access: AccessControl,
  ) {}

  /** The artifact URI `ref` stands for, for a caller acting as `role`. */
  resolve(ref: string, role: string): string {
    if (JOB_NAME_PATTERN.test(ref)) return this.jobArtifact(ref);
    const path = ref.startsWith('@') ? this.stagePath(ref, role) : this.storePath(ref);
    if (path === null) throw refused(ref);
    return pathToFileURL(path).href;
  }

  private jobArtifact(name: string): string {
    const job = this.jobs.get(name);
    if (job.status !== 'Completed' || !job.artifactUri) {
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `training job ${name} is ${job.status}${job.failureReason ? ` (${job.failureReason})` : ''}; deploy a Completed job's model`,
      );
    }
    return job.artifactUri;
  }

  private storePath(ref: string): string | null {
    let path: string;
    try {
      path = ref.startsWith('file:') ? fileURLToPath(ref) : ref;
    } catch {
      return null;
    }
    if (!isAbsolute(path)) return null;
    return inside(this.artifactRoot, path);
  }

  private stagePath(ref: string, role: string): string | null {
    const m = /^@((?:[^/"]|"[^"]*")+)(?:\/(.*))?$/.exec(ref);
    if (!m) return null;
    let parts: string[];
    try {
      parts = parseObjectName(m[1]);
    } catch {
      return null;
    }
    if (parts.length !== 3) return null;
    const rec = this.stages.find(parts[0], parts[1], parts[2]);
    if (!rec) return null;
    const object = { kind: 'STAGE' as const, name: `${rec.database}.${rec.schema}.${rec.name}` };
    if (!this.access.hasPrivilege(role, 'READ', object, rec.owner) && !this.access.hasPrivilege(role, 'USAGE', object)) return null;
    const rel = m[2] ?? '';
    if (rel.split('/').includes('..')) return null;
    return inside(rec.dir, join(rec.dir, rel));
  }
}

/** `path` resolved through links, when it lies inside `root`; null otherwise (or when it does not exist). */
function inside(root: string, path: string): string | null {
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(path);
    return real === realRoot || real.startsWith(realRoot + sep) ? real : null;
  } catch {
    return null;
  }
}

function refused(ref: string): RecpipeError {
  return new RecpipeError(
    'INVALID_ARGUMENT',
    `model reference '${ref.slice(0, 200)}' is not deployable: give a training job name (train-…), an artifact of this home's store (file://…/artifacts/…, as a job reports it) or a stage path (@database.schema.stage/dir)`,
  );
}
