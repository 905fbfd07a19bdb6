import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TransferPlan } from '../engine/index.js';
import { LoginFile } from '../util/login-file.js';

/**
 * What one stage credential lets its bearer do: upload files into one stage directory (a PUT, as its
 * login), upload a statement's array binds (a PUT to the driver's SYSTEM$BIND stage), or download one
 * stage file (a GET). `loginId` names the Snowflake login, so a grant outlives a restart with it.
 */
export type StageGrant =
  | {
      readonly kind: 'upload';
      readonly loginId: number;
      readonly plan: Extract<TransferPlan, { kind: 'put' }>;
    }
  | { readonly kind: 'binds'; readonly loginId: number; readonly stage: string }
  | { readonly kind: 'download'; readonly path: string };

interface SavedGrant {
  readonly hash: string;
  readonly grant: StageGrant;
  readonly expires: number;
}

/** Grants outstanding at once; the oldest go first past this (a driver uses its credentials within seconds). */
const MAX_GRANTS = 10_000;

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * The credentials of driver PUT/GET, as Snowflake hands out cloud-storage credentials: an
 * unguessable token standing for a transfer the session's privileges allowed when the statement ran,
 * valid until it expires. Kept as hashes, also in an owner-only file of the home (written atomically),
 * so a transfer under way when the server restarts carries on with the same token.
 */
export class StageGrants {
  readonly #grants = new Map<string, { grant: StageGrant; expires: number }>();
  #saving = false;

  constructor(
    private readonly validityMs: number,
    private readonly now: () => number,
    private readonly file: LoginFile<SavedGrant> = new LoginFile(null),
  ) {
    for (const saved of file.load(now())) this.#grants.set(saved.hash, { grant: saved.grant, expires: saved.expires });
  }

  issue(grant: StageGrant): string {
    const now = this.now();
    for (const [hash, g] of this.#grants) if (g.expires <= now || this.#grants.size >= MAX_GRANTS) this.#grants.delete(hash);
    const token = randomBytes(32).toString('base64url');
    this.#grants.set(digest(token), { grant, expires: now + this.validityMs });
    this.#save();
    return token;
  }

  /** The grant behind a token, while it is valid. */
  get(token: string): StageGrant | null {
    const hash = digest(token);
    const g = this.#grants.get(hash);
    if (g === undefined) return null;
    if (g.expires > this.now()) return g.grant;
    this.#grants.delete(hash);
    return null;
  }

  /** Resolves once the file holds every grant issued so far. */
  saved(): Promise<void> {
    return this.file.flushed();
  }

  /** One write for a burst of grants (a GET of many files): the snapshot is taken when the write starts. */
  #save(): void {
    if (this.#saving) return;
    this.#saving = true;
    void this.file.save(() => {
      this.#saving = false;
      return [...this.#grants].map(([hash, g]) => ({ hash, grant: g.grant, expires: g.expires }));
    });
  }
}

/** The Snowflake protocol's stage-credential file in a home. */
export function stageGrantFile(home: string): LoginFile<SavedGrant> {
  return new LoginFile(join(home, 'snowflake-stage-grants.json'));
}

/** Files the driver may move at once (its PARALLEL). */
const PARALLEL = 4;
/** The bucket part of the stage location: upload URLs are `<endPoint>/<BUCKET>/<file name>`. */
export const UPLOAD_BUCKET = 'recpipe-stage';

/**
 * A PUT or GET answer as snowflake-sdk's file transfer agent reads it. The stage looks like a GCS
 * bucket: for PUT the agent gets a folder-scoped access token (`creds.GCS_ACCESS_TOKEN`) and, per file,
 * asks `HEAD <endPoint>/<bucket>/<name>` whether it exists (OVERWRITE = FALSE: SKIPPED when it does)
 * and uploads with `PUT` there; for GET it downloads each file from a presigned URL. No client-side
 * encryption; the token or URL is the credential.
 */
export function transferData(
  plan: TransferPlan,
  urlBase: string,
  credential: { readonly token: string } | { readonly urls: readonly string[] },
): Record<string, unknown> {
  const stageInfo = {
    locationType: 'GCS',
    location: `${UPLOAD_BUCKET}/`,
    path: '',
    region: 'local',
    endPoint: urlBase,
    useRegionalUrl: false,
    useVirtualUrl: false,
    isClientSideEncrypted: false,
    creds: 'token' in credential ? { GCS_ACCESS_TOKEN: credential.token } : {},
    presignedUrl: null,
  };
  const common = { parallel: PARALLEL, stageInfo, encryptionMaterial: null, rowtype: [], rowset: [] };
  if (plan.kind === 'put')
    return {
      ...common,
      command: 'UPLOAD',
      overwrite: plan.overwrite,
      src_locations: [plan.source],
      autoCompress: plan.autoCompress,
      sourceCompression: plan.sourceCompression,
      presignedUrls: [],
    };
  return {
    ...common,
    command: 'DOWNLOAD',
    overwrite: true,
    src_locations: plan.files.map((f) => f.name),
    localLocation: plan.localDirectory,
    presignedUrls: 'urls' in credential ? credential.urls : [],
  };
}
