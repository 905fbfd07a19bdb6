import { randomUUID } from 'node:crypto';
import { RecpipeError, invalid } from '../../core/errors.js';
import type { Session, StatementResult } from '../../engine/index.js';
import { join } from 'node:path';
import { loadsBindFiles, splitStatements } from '../../sql/index.js';
import {
  BIND_STAGE_CREATE,
  BindFiles,
  PARAMETERS,
  QueryRegistry,
  SF_CODES,
  USER_DISABLED,
  USER_LOCKED,
  SfTokens,
  StageGrants,
  bindPut,
  bindSql,
  bindStageId,
  checkLoginJwt,
  chunkBody,
  contextOf as replyContext,
  encodeResult,
  fail,
  inProgressReply,
  monitoringReply,
  ok,
  queryReply,
  sfErrorOf,
  type BoundSql,
  type QueryRecord,
  snowflakeLoginFile,
  type SfContext,
  type SfError,
  type SfLogin,
  type SfReply,
  stageGrantFile,
  transferData,
  type StageGrant,
  type TakenBinds,
} from '../../snowflake-protocol/index.js';
import { stagedFile } from '../../sql/index.js';
import { fingerprintOf } from '../../auth/index.js';
import type { ServiceContext } from '../context.js';

/** How long a synchronous query-request waits before answering "in progress" (the driver then polls), as Snowflake does. */
const SYNC_WAIT_MS = 45_000;
/** How long a poll of an unfinished query waits for it before answering "in progress" again. */
const POLL_WAIT_MS = 5_000;
const CHUNK_URL_SECONDS = 3_600;

type Query = Readonly<Record<string, string | undefined>>;

/**
 * Snowflake's REST protocol over the service's engine, sessions and privileges: a login becomes an
 * engine session of the user (in the shared session store), a query-request runs through
 * `engine.execute` like `/api/v1/statements`, and only the shapes, codes and encodings differ.
 */
export class SnowflakeProtocol {
  readonly tokens: SfTokens;
  readonly queries = new QueryRegistry();
  /** The credentials of PUT and GET (kept in the home, so a transfer survives a restart). */
  readonly stageGrants: StageGrants;
  /** Array binds uploaded through the driver's SYSTEM$BIND stage, until their statement runs. */
  readonly bindFiles: BindFiles;

  constructor(private readonly ctx: ServiceContext) {
    this.tokens = new SfTokens(
      ctx.limits.snowflakeSessionTokenSeconds,
      ctx.limits.snowflakeMasterTokenSeconds,
      Date.now,
      snowflakeLoginFile(ctx.home),
    );
    this.stageGrants = new StageGrants(CHUNK_URL_SECONDS * 1000, Date.now, stageGrantFile(ctx.home));
    this.bindFiles = new BindFiles(join(ctx.home, 'tmp', 'snowflake-binds'), Date.now);
    ctx.closing.addEventListener('abort', () => this.queries.abortRunning(), { once: true });
  }

  async login(query: Query, body: unknown): Promise<SfReply> {
    const data = objectField(body, 'data', 'the login body');
    const authenticator = (optionalString(data, 'AUTHENTICATOR') ?? 'SNOWFLAKE').toUpperCase();
    if (authenticator !== 'SNOWFLAKE' && authenticator !== 'SNOWFLAKE_JWT') {
      return fail({
        code: SF_CODES.unsupportedAuthenticator,
        sqlState: '08004',
        message: `authenticator '${authenticator}' is not supported by recpipe; sign in with a user's password (SNOWFLAKE) or key pair (SNOWFLAKE_JWT)`,
      });
    }
    const loginName = optionalString(data, 'LOGIN_NAME');
    if (loginName === undefined) throw invalid('the login body needs data.LOGIN_NAME');
    this.endExpired();
    const proof = authenticator === 'SNOWFLAKE' ? await this.refusedPassword(loginName, data) : this.keyPairProof(loginName, data);
    if (proof !== null && typeof proof !== 'string') return proof;
    const keyFingerprint = proof ?? undefined;
    // Login names are case-insensitive in Snowflake, whatever the user's identifier.
    const user = this.ctx.engine.access.users().find((u) => u.name.toUpperCase() === loginName.toUpperCase())?.name;
    if (user === undefined) return fail(BAD_CREDENTIALS);
    let session: Session;
    try {
      session = this.openSession(user, query);
    } catch (e) {
      return fail({ code: SF_CODES.badRole, sqlState: '08004', message: sfErrorOf(e).message });
    }
    this.ctx.sessions.add(session, ownerOf(user));
    const { login, tokens } = this.tokens.issue(session.id, user, contextOf(session), keyFingerprint);
    return ok({
      ...tokens,
      displayUserName: user,
      serverVersion: this.ctx.version,
      firstLogin: false,
      remMeToken: null,
      remMeValidityInSeconds: 0,
      healthCheckInterval: 45,
      newClientForUpgrade: null,
      sessionId: login.id,
      parameters: PARAMETERS,
      sessionInfo: { databaseName: session.database, schemaName: session.schema, warehouseName: session.warehouse, roleName: session.role },
      idToken: null,
      mfaToken: null,
    });
  }

  private async refusedPassword(loginName: string, data: Record<string, unknown>): Promise<SfReply | null> {
    const password = optionalString(data, 'PASSWORD');
    if (password === undefined) throw invalid('the login body needs data.PASSWORD (or AUTHENTICATOR SNOWFLAKE_JWT and data.TOKEN)');
    const outcome = loginName.length > 255 || password.length > 1024 ? 'wrong' : await this.ctx.engine.access.signIn(loginName, password);
    if (outcome === 'locked') return fail({ code: SF_CODES.userLocked, sqlState: '08004', message: USER_LOCKED });
    if (outcome === 'disabled') return fail(USER_DISABLED_ERROR);
    return outcome === 'ok' ? null : fail(BAD_CREDENTIALS);
  }

  /**
   * Key-pair sign-in: data.TOKEN, a JWT signed with the private key of one of the user's RSA_PUBLIC_KEYs.
   * The fingerprint of the key it proved, or the refusal.
   */
  private keyPairProof(loginName: string, data: Record<string, unknown>): SfReply | string {
    const token = optionalString(data, 'TOKEN');
    if (token === undefined) throw invalid('the login body needs data.TOKEN (a JWT) with AUTHENTICATOR SNOWFLAKE_JWT');
    const keys =
      loginName.length <= 255 && token.length <= 16_384
        ? this.ctx.engine.access.userPublicKeys(loginName).filter((k): k is string => k !== null)
        : [];
    if (keys.length === 0) return fail({ ...JWT_INVALID, message: `${JWT_INVALID.message} (the user has no RSA_PUBLIC_KEY)` });
    const check = checkLoginJwt(token, loginName, keys, Date.now());
    if (!check.ok) return fail({ ...JWT_INVALID, message: `${JWT_INVALID.message} (${check.reason})` });
    return this.ctx.auth.userActive(loginName) ? check.fingerprint : fail(USER_DISABLED_ERROR);
  }

  /** The user's session in the login's role, database and schema; a database that does not exist is left unset, as Snowflake does. */
  private openSession(user: string, query: Query): Session {
    const role = nonEmpty(query.roleName);
    const database = nonEmpty(query.databaseName);
    const schema = nonEmpty(query.schemaName);
    const attempts = [{ database, schema }, { database }, {}].filter((a, i) => i === 2 || a.database !== undefined);
    for (const [i, place] of attempts.entries()) {
      try {
        const session = this.ctx.engine.createSession({ user, ...defined({ role, ...place }) });
        session.warehouse = nonEmpty(query.warehouse)?.toUpperCase() ?? null;
        return session;
      } catch (e) {
        if (i === attempts.length - 1) throw e;
      }
    }
    throw new Error('unreachable');
  }

  renew(masterToken: string, body: unknown): SfReply {
    const old = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).oldSessionToken : undefined;
    const renewed = this.tokens.renew(masterToken, typeof old === 'string' ? old : undefined);
    if (renewed === 'expired')
      return fail({ code: SF_CODES.masterExpired, sqlState: '08001', message: 'Master token expired: sign in again.' });
    if (renewed === null)
      return fail({ code: SF_CODES.invalidToken, sqlState: '08001', message: 'Invalid master token or session token.' });
    if (!this.stands(renewed.login)) {
      this.ctx.auth.revoked();
      return fail(LOGIN_REVOKED);
    }
    const { tokens } = renewed;
    return ok({
      sessionToken: tokens.token,
      validityInSecondsST: tokens.validityInSeconds,
      masterToken: tokens.masterToken,
      validityInSecondsMT: tokens.masterValidityInSeconds,
    });
  }

  /**
   * The engine session behind a login. One that is gone (the server restarted, or the store evicted it)
   * is opened again in the login's last role, database and schema, as the login's tokens still hold;
   * only a user who no longer exists is told to sign in again.
   */
  sessionOf(login: SfLogin): Session | SfReply {
    try {
      return this.ctx.sessions.get(login.sessionId, ownerOf(login.user));
    } catch {
      // reopened below
    }
    const { role, database, schema, warehouse } = login.context;
    let session: Session;
    try {
      if (!this.ctx.engine.access.user(login.user)) throw new Error('user dropped');
      session = this.openSession(login.user, {
        // A role no longer granted (or dropped) meanwhile: the user's default role instead.
        roleName: role !== null && this.ctx.engine.access.canUseRole(login.user, role) ? role : undefined,
        databaseName: database ?? undefined,
        schemaName: schema ?? undefined,
        warehouse: warehouse ?? undefined,
      });
    } catch {
      this.tokens.end(login);
      return fail({ code: SF_CODES.goneSession, sqlState: '08003', message: 'Session no longer exists: sign in again.' });
    }
    this.ctx.sessions.add(session, ownerOf(login.user));
    this.tokens.update(login, session.id, contextOf(session));
    return session;
  }

  async logout(login: SfLogin): Promise<SfReply> {
    this.tokens.end(login);
    this.bindFiles.end(login.id);
    const session = this.ctx.sessions.remove(login.sessionId, ownerOf(login.user));
    if (session) await this.ctx.engine.endSession(session);
    return ok(null);
  }

  /** `urls.chunks`: where result chunks download from; `urls.stage`: where PUT and GET move files. */
  async query(login: SfLogin, requestId: string | null, body: unknown, urls: { chunks: string; stage: string }): Promise<SfReply> {
    const request = queryBody(body);
    const bytes = Buffer.byteLength(request.sqlText);
    if (bytes > this.ctx.limits.maxSqlBytes) throw invalid(`sqlText is ${bytes} bytes; at most ${this.ctx.limits.maxSqlBytes}`);
    // The drivers' own test: a statement starting PUT or GET is a file transfer, which they carry out themselves.
    if (/^(PUT|GET)/i.test(request.sqlText.trim())) return this.transfer(login, request.sqlText, urls.stage);
    if (BIND_STAGE_CREATE.test(request.sqlText)) return bindStageCreated(this.sessionOf(login));
    let bound: BoundSql | { files: TakenBinds };
    try {
      const staged = request.bindStage === undefined ? null : this.bindFiles.take(login.id, bindStageId(request.bindStage));
      if (staged !== null && loadsBindFiles(splitStatements(request.sqlText)[0])) bound = { files: staged };
      else bound = this.#bound(request, staged);
    } catch (e) {
      return fail(sfErrorOf(e));
    }
    const record = this.queries.start(login.user, request.sqlText, requestId);
    this.run(login, record, bound);
    if (request.asyncExec) return inProgressReply(record, true);
    return this.answer(login, record, SYNC_WAIT_MS, urls.chunks);
  }

  /** The statement with its bindings (sent, or read from bind files and then deleted), checked against the statement limits. */
  #bound(request: QueryBody, staged: TakenBinds | null): BoundSql {
    let bindings: unknown = request.bindings;
    if (staged !== null)
      try {
        bindings = staged.rows();
      } finally {
        staged.release();
      }
    const bound = bindSql(request.sqlText, bindings);
    const statements = bound.repeated ? bound.rows : checkStatementCount(bound.sql, request.parameters);
    if (statements > this.ctx.limits.maxStatements)
      throw invalid(
        `the request runs ${statements} statements; at most ${this.ctx.limits.maxStatements} (split it, or bind arrays to a single-row INSERT)`,
      );
    return bound;
  }

  /** A query's result once it is done, waiting up to `waitMs`; "in progress" (the driver polls) when it is not. */
  async answer(login: SfLogin, record: QueryRecord, waitMs: number, chunkBase: string): Promise<SfReply> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([record.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    if (record.status === 'RUNNING') return inProgressReply(record, false);
    const session = this.sessionOf(login);
    if (!('id' in session)) return session;
    const expires = Date.now() + CHUNK_URL_SECONDS * 1000;
    return queryReply(
      record,
      session,
      (i) => `${chunkBase}/${record.id}/${i}?expires=${expires}&signature=${this.queries.sign(record.id, i, expires)}`,
    );
  }

  result(login: SfLogin, id: string, chunkBase: string): Promise<SfReply> {
    const record = this.queries.get(id, login.user);
    if (!record) return Promise.resolve(noSuchQuery(id));
    return this.answer(login, record, POLL_WAIT_MS, chunkBase);
  }

  monitor(login: SfLogin, id: string): SfReply {
    const record = this.queries.get(id, login.user);
    return record ? monitoringReply(record) : noSuchQuery(id);
  }

  /** Aborts a query: one still queued behind its session never runs, a running one is interrupted in the engine. */
  abort(login: SfLogin, id: string | null, requestId: string | null): SfReply {
    const record =
      id !== null ? this.queries.get(id, login.user) : requestId !== null ? this.queries.byRequest(requestId, login.user) : null;
    if (!record) return noSuchQuery(id ?? requestId ?? '');
    if (record.status === 'RUNNING') this.queries.abort(record);
    return ok(null);
  }

  /**
   * A driver's PUT or GET: checked as the session's user and role, answered with a folder-scoped
   * token for the driver to upload each file with (PUT) or presigned URLs to download them (GET),
   * all under `stageBase`. A PUT of array binds (to SYSTEM$BIND) goes to the login's bind files.
   */
  private async transfer(login: SfLogin, sqlText: string, stageBase: string): Promise<SfReply> {
    try {
      return await this.ctx.sessions.run(
        login.sessionId,
        async (session) => {
          const binds = bindPut(sqlText);
          if (binds !== null) {
            const token = this.stageGrants.issue({ kind: 'binds', loginId: login.id, stage: binds.stage });
            const plan = {
              kind: 'put',
              source: binds.name,
              target: '',
              autoCompress: false,
              sourceCompression: 'gzip',
              overwrite: true,
            } as const;
            return ok({
              queryId: randomUUID(),
              ...transferData({ ...plan, stageRoot: '', stagePath: '' }, stageBase, { token }),
              ...replyContext(session),
            });
          }
          const plan = await this.ctx.engine.transfer(session, sqlText);
          const credential =
            plan.kind === 'get'
              ? { urls: plan.files.map((f) => `${stageBase}/${this.stageGrants.issue({ kind: 'download', path: f.path })}`) }
              : { token: this.stageGrants.issue({ kind: 'upload', loginId: login.id, plan }) };
          return ok({ queryId: randomUUID(), ...transferData(plan, stageBase, credential), ...replyContext(session) });
        },
        ownerOf(login.user),
      );
    } catch (e) {
      return fail(sfErrorOf(e));
    }
  }

  /** The upload grant behind a PUT's access token (null: none, or its login has ended). */
  #uploadGrant(token: string): { grant: Extract<StageGrant, { kind: 'upload' | 'binds' }>; login: SfLogin } | null {
    const grant = this.stageGrants.get(token);
    if (grant?.kind !== 'upload' && grant?.kind !== 'binds') return null;
    const login = this.tokens.login(grant.loginId);
    return login === null || !this.stands(login) ? null : { grant, login };
  }

  /** Whether a PUT's target already holds `name` (the driver's check before an upload with OVERWRITE = FALSE); null: no such token. */
  staged(token: string, name: string): boolean | null {
    const found = this.#uploadGrant(token);
    if (found === null) return null;
    return found.grant.kind === 'upload' && stagedFile(found.grant.plan, name);
  }

  /**
   * The body of an upload with a PUT's token, stored by the engine as the granting session (null: no
   * such token; 'exists': OVERWRITE = FALSE and the file is there).
   */
  async receive(token: string, name: string, bytes: Uint8Array): Promise<StatementResult | 'binds' | 'exists' | null> {
    const found = this.#uploadGrant(token);
    if (found === null) return null;
    const { grant, login } = found;
    if (grant.kind === 'binds') {
      await this.bindFiles.put(login.id, grant.stage, name, bytes);
      return 'binds';
    }
    if (!grant.plan.overwrite && stagedFile(grant.plan, name)) return 'exists';
    const session = this.sessionOf(login);
    if (!('id' in session)) throw new RecpipeError('UNAUTHENTICATED', session.message ?? 'the session of this upload has ended');
    return this.ctx.sessions.run(login.sessionId, (s) => this.ctx.engine.upload(s, grant.plan.target, name, bytes), ownerOf(login.user));
  }

  /** The stage file behind a presigned GET URL (null: no such URL). */
  sent(id: string): string | null {
    const grant = this.stageGrants.get(id);
    return grant?.kind === 'download' ? grant.path : null;
  }

  chunk(id: string, index: number, expires: number, signature: string): string | null {
    if (!this.queries.verify(id, index, expires, signature)) return null;
    const result = this.queries.signedRecord(id)?.result;
    return result ? chunkBody(result, index) : null;
  }

  private run(login: SfLogin, record: QueryRecord, bound: BoundSql | { files: TakenBinds }): void {
    const owner = ownerOf(login.user);
    // A session gone since the token was checked throws at once; the query must still finish, as failed.
    const inSession = (work: (session: Session) => Promise<void>): Promise<void> => {
      try {
        return this.ctx.sessions.run(login.sessionId, work, owner);
      } catch (e) {
        return Promise.reject(e);
      }
    };
    inSession(async (session) => {
      if (aborted(record)) return;
      const results =
        'files' in bound
          ? await this.ctx.engine.insertFiles(session, record.sqlText, bound.files.files, record.cancel.signal)
          : bound.repeated
            ? await this.runRepeated(session, bound, record.cancel.signal)
            : await this.ctx.engine.execute(session, bound.sql, bound.params, record.cancel.signal);
      if (aborted(record)) return;
      this.tokens.update(login, session.id, contextOf(session));
      if (results.length === 1) record.result = results[0];
      else for (const r of results) this.queries.child(record, r);
      record.status = 'SUCCESS';
    })
      .catch((e: unknown) => {
        if (aborted(record)) return;
        record.error = sfErrorOf(e);
        record.status = 'FAILED_WITH_ERROR';
      })
      .finally(() => {
        if ('files' in bound) bound.files.release();
        record.finish();
        this.queries.evict(record);
      });
  }

  /** Array binds that are not one INSERT: the statement once per row, all or nothing (in a transaction unless one is open). */
  private async runRepeated(session: Session, bound: BoundSql, signal: AbortSignal): Promise<StatementResult[]> {
    const own = session.inTransaction !== true;
    try {
      const results = await this.ctx.engine.execute(session, own ? `begin;\n${bound.sql};\ncommit` : bound.sql, bound.params, signal);
      return [sumCounts(own ? results.slice(1, -1) : results)];
    } catch (e) {
      if (own && session.inTransaction) await this.ctx.engine.execute(session, 'rollback').catch(() => undefined);
      throw e;
    }
  }

  /**
   * Whether a login's credential still stands: its user exists and is not disabled, and the key pair a
   * JWT login proved is still one of the user's keys. Checked at each use, as a login outlives its sign-in.
   */
  stands(login: SfLogin): boolean {
    if (!this.ctx.auth.userActive(login.user)) return false;
    if (login.keyFingerprint === undefined) return true;
    return this.ctx.engine.access.userPublicKeys(login.user).some((k) => k !== null && fingerprintOf(k) === login.keyFingerprint);
  }

  /** Ends (on disk too) every login whose credential was revoked, and the engine sessions they drove. */
  endRevoked(): void {
    this.#endEngineSessions(this.tokens.endWhere((login) => !this.stands(login)));
  }

  private endExpired(): void {
    this.#endEngineSessions(this.tokens.sweep());
  }

  #endEngineSessions(logins: readonly SfLogin[]): void {
    for (const login of logins) {
      const session = this.ctx.sessions.remove(login.sessionId, ownerOf(login.user));
      if (session) void this.ctx.engine.endSession(session).catch(() => undefined);
    }
  }
}

const contextOf = (s: Session): SfContext => ({ role: s.role, database: s.database, schema: s.schema, warehouse: s.warehouse ?? null });

/** Protocol sessions are keyed per user in the shared session store, apart from API keys' sessions. */
const ownerOf = (user: string): string => `snowflake:${user}`;

/** A function, not an inline test: the status changes while the query awaits (abort-request). */
const aborted = (record: QueryRecord): boolean => record.status === 'ABORTED';

/** A login whose user was dropped or disabled, or whose key pair was unset, since it signed in. */
export const LOGIN_REVOKED: SfError = {
  code: SF_CODES.goneSession,
  sqlState: '08003',
  message: 'Session no longer exists: its user was dropped or disabled, or its key pair unset. Sign in again.',
};

const USER_DISABLED_ERROR: SfError = { code: SF_CODES.userDisabled, sqlState: '08004', message: USER_DISABLED };

const BAD_CREDENTIALS: SfError = {
  code: SF_CODES.badCredentials,
  sqlState: '08004',
  message: 'Incorrect username or password was specified.',
};
const JWT_INVALID: SfError = { code: SF_CODES.jwtInvalid, sqlState: '08004', message: 'JWT token is invalid.' };

/** The driver's `CREATE OR REPLACE TEMPORARY STAGE SYSTEM$BIND`: the login's bind files need no catalog object. */
function bindStageCreated(session: Session | SfReply): SfReply {
  if (!('id' in session)) return session;
  const { rowtype, rowset } = encodeResult([{ name: 'status', type: 'VARCHAR' }], [['Stage area SYSTEM$BIND successfully created.']]);
  return ok({ queryId: randomUUID(), rowtype, rowset, total: 1, returned: 1, statementTypeId: 0x6000, ...replyContext(session) });
}

const noSuchQuery = (id: string): SfReply => fail({ code: '000709', sqlState: '02000', message: `Statement ${id} not found.` });

interface QueryBody {
  sqlText: string;
  bindings?: unknown;
  /** `@SYSTEM$BIND/<id>`: the array binds were uploaded there (bind-stage.ts) instead of sent in `bindings`. */
  bindStage?: unknown;
  asyncExec: boolean;
  parameters: Record<string, unknown>;
}

function queryBody(body: unknown): QueryBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw invalid('the query-request body must be a JSON object with sqlText');
  const b = body as Record<string, unknown>;
  if (typeof b.sqlText !== 'string' || b.sqlText.trim() === '') throw invalid('sqlText must be a non-empty string');
  if (b.asyncExec !== undefined && typeof b.asyncExec !== 'boolean') throw invalid('asyncExec must be true or false');
  const parameters = b.parameters ?? {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) throw invalid('parameters must be an object');
  return {
    sqlText: b.sqlText,
    bindings: b.bindings,
    ...(b.bindStage === undefined || b.bindStage === null ? {} : { bindStage: b.bindStage }),
    asyncExec: b.asyncExec === true,
    parameters: parameters as Record<string, unknown>,
  };
}

/** As in Snowflake, several statements in one request need MULTI_STATEMENT_COUNT (0 = any number, or the exact count). */
function checkStatementCount(sql: string, parameters: Record<string, unknown>): number {
  const count = splitStatements(sql).length;
  const wanted = parameters.MULTI_STATEMENT_COUNT === undefined ? 1 : Number(parameters.MULTI_STATEMENT_COUNT);
  if (count <= 1 || wanted === 0 || wanted === count) return count;
  throw new RecpipeError('INVALID_ARGUMENT', `Actual statement count ${count} did not match the desired statement count ${wanted}.`, {
    snowflakeCode: SF_CODES.multiStatementCount,
  });
}

/** One DML result for a statement run once per bound row: the counts summed. */
function sumCounts(results: StatementResult[]): StatementResult {
  const first = results[0];
  const rows = [first.columns.map((_, i) => results.reduce((sum, r) => sum + Number(r.rows[0]?.[i] ?? 0), 0))];
  return { ...first, rows, rowCount: results.reduce((sum, r) => sum + r.rowCount, 0) };
}

function objectField(body: unknown, field: string, what: string): Record<string, unknown> {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(`${what} must be a JSON object with a "${field}" object`);
  return value as Record<string, unknown>;
}

function optionalString(o: Record<string, unknown>, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`data.${field} must be a string`);
  return v;
}

/** The fields of `o` that are set (SessionInit takes no undefined values). */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);
