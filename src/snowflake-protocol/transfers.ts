import { randomBytes } from 'node:crypto';
import type { TransferPlan } from '../engine/index.js';
import type { SfLogin } from './tokens.js';

/** What one presigned stage URL lets its bearer do: upload one named file into a stage directory, or download one stage file. */
export type StageGrant =
  | { readonly kind: 'upload'; readonly login: SfLogin; readonly target: string; readonly name: string }
  | { readonly kind: 'download'; readonly path: string };

/** Grants outstanding at once; the oldest go first past this (a driver uses its URLs within seconds). */
const MAX_GRANTS = 10_000;

/**
 * The presigned URLs of driver PUT/GET, as Snowflake hands out presigned cloud-storage URLs: an
 * unguessable id standing for a transfer the session's privileges allowed when the statement ran,
 * valid until it expires. In memory: a restart ends them, as the driver's retry asks again.
 */
export class StageGrants {
  readonly #grants = new Map<string, { grant: StageGrant; expires: number }>();

  constructor(
    private readonly validityMs: number,
    private readonly now: () => number,
  ) {}

  issue(grant: StageGrant): string {
    const now = this.now();
    for (const [id, g] of this.#grants) if (g.expires <= now || this.#grants.size >= MAX_GRANTS) this.#grants.delete(id);
    const id = randomBytes(32).toString('base64url');
    this.#grants.set(id, { grant, expires: now + this.validityMs });
    return id;
  }

  /** The grant behind an id, while it is valid. */
  get(id: string): StageGrant | null {
    const g = this.#grants.get(id);
    if (g === undefined) return null;
    if (g.expires > this.now()) return g.grant;
    this.#grants.delete(id);
    return null;
  }
}

/** Files the driver may move at once (its PARALLEL). */
const PARALLEL = 4;

/**
 * A PUT or GET answer as snowflake-sdk's file transfer agent reads it. The stage looks like a GCS
 * bucket reached through presigned URLs (the agent then PUTs and GETs plain HTTP at those URLs, with no
 * cloud credentials and no client-side encryption). For PUT the agent asks once more per file, with
 * the file name it will upload (`data.csv.gz` once compressed), and takes that answer's URL.
 */
export function transferData(plan: TransferPlan, urlBase: string, urls: readonly string[]): Record<string, unknown> {
  const stageInfo = {
    locationType: 'GCS',
    location: 'recpipe-stage/',
    path: '',
    region: 'local',
    endPoint: urlBase,
    useRegionalUrl: false,
    isClientSideEncrypted: false,
    creds: {},
    presignedUrl: plan.kind === 'put' ? (urls[0] ?? null) : null,
  };
  const common = { parallel: PARALLEL, stageInfo, encryptionMaterial: null, overwrite: true, rowtype: [], rowset: [] };
  if (plan.kind === 'put')
    return {
      ...common,
      command: 'UPLOAD',
      src_locations: [plan.source],
      autoCompress: plan.autoCompress,
      sourceCompression: plan.sourceCompression,
      presignedUrls: [],
    };
  return {
    ...common,
    command: 'DOWNLOAD',
    src_locations: plan.files.map((f) => f.name),
    localLocation: plan.localDirectory,
    presignedUrls: urls,
  };
}

/** The file name a PUT answer presigns: the last part of the client's path, unless it is a wildcard the agent expands itself. */
export function uploadName(source: string): string | null {
  const name = source.split(/[\\/]/).pop() ?? '';
  return name === '' || /[*?]/.test(name) ? null : name;
}
