import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { RecpipeError } from '../core/errors.js';
import type { FunctionArg, FunctionCallContext, ScalarFunctionSpec, Warehouse, WarehouseConnection } from '../warehouse/index.js';
import { sendEach } from './http-client.js';
import { EVALUATED, MAX_PASSES, QUERIES, onePass } from './passes.js';
import { checkUrl } from './prefixes.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_POLICY, batchCall, protocolHeaders, readAnswers, type CallPolicy } from './protocol.js';
import { signatureOf, type ApiIntegration, type ExternalFunction } from './records.js';
import { StatementCalls, type Missing } from './statement-calls.js';
import { ExternalStore } from './store.js';

export interface ExternalFunctionsOptions {
  readonly warehouse: Warehouse;
  /** Wraps the SQL function registered for each external function name/arity (the engine's usage-privilege check). */
  readonly guard?: (spec: ScalarFunctionSpec) => ScalarFunctionSpec;
  readonly policy?: Partial<CallPolicy>;
  /** Where API keys are kept (the engine's SecretStore: environment, then `<home>/secrets.json`). */
  readonly secrets: SecretAccess;
  /** Batches in flight at once per function. */
  readonly concurrency?: number;
}

/** What the executor tells about a statement before running it: its first word and every word in it, upper-case, and the session's schema. */
export interface StatementWords {
  readonly verb: string;
  readonly words: ReadonlySet<string>;
  readonly database: string | null;
  readonly schema: string | null;
  /** Whether the session has an explicit transaction open (BEGIN … COMMIT spans statements and requests). */
  readonly inTransaction: boolean;
}

/** The secret store as external functions use it. */
export interface SecretAccess {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

/**
 * How CREATE API INTEGRATION gives the key: a literal (Snowflake's API_KEY = '…', moved into the
 * secret store) or the name of a secret set beforehand (`recpipe secret set`, or the environment).
 */
export type ApiKeyInput = { readonly literal: string } | { readonly secret: string } | null;

/** The arguments an integration is created with; the generated AWS identities are added here. */
export type IntegrationInput = Omit<ApiIntegration, 'iamUserArn' | 'externalId' | 'createdOn' | 'apiKeySecret'> & {
  readonly apiKey: ApiKeyInput;
};

const key = (name: string, arity: number): string => `${name.toUpperCase()}/${arity}`;
const scoped = (database: string, schema: string, name: string, arity: number): string =>
  `${database.toUpperCase()}.${schema.toUpperCase()}.${key(name, arity)}`;

/**
 * API integrations and external functions of one engine, and the SQL functions that call them.
 *
 * DuckDB functions are catalog-wide and cannot be unregistered, while Snowflake's external
 * functions live in a schema and may take the name of a function recpipe has built in (the guide
 * creates train_and_get_recommendations exactly so). So every function name/arity is registered
 * with DuckDB once, as a dispatcher: at each call it looks for an external function of that
 * name/arity in the caller's current database and schema and, when there is one, sends the rows
 * to it over HTTP; otherwise it runs the built-in (`wrapBuiltin`) or reports an unknown function.
 * CREATE, REPLACE and DROP thus only change the in-memory map the dispatchers read.
 *
 * The HTTP calls never happen inside DuckDB's callback (which would have to block the serving
 * thread until the remote answers): `evaluate` runs a statement in passes and sends the rows a
 * pass could not answer asynchronously in between (see StatementCalls). So a slow remote delays
 * only its own statement, and a function may even call this same process.
 */
export class ExternalFunctions {
  private readonly integrationsByName = new Map<string, ApiIntegration>();
  private readonly functionsByKey = new Map<string, ExternalFunction>();
  private readonly registered = new Set<string>();
  private readonly policy: CallPolicy;
  /** The statement each warehouse connection is evaluating, by connection id. */
  private readonly running = new Map<number, StatementCalls>();
  /** Connections (of one executor request) inside BEGIN … COMMIT. */

  private constructor(
    private readonly opts: ExternalFunctionsOptions,
    private readonly store: ExternalStore,
  ) {
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
  }

  static async open(opts: ExternalFunctionsOptions): Promise<ExternalFunctions> {
    const store = await ExternalStore.open(opts.warehouse);
    const ef = new ExternalFunctions(opts, store);
    for (const i of await store.integrations()) ef.integrationsByName.set(i.name.toUpperCase(), i);
    for (const f of await store.functions()) ef.functionsByKey.set(scoped(f.database, f.schema, f.name, f.argTypes.length), f);
    return ef;
  }

  /** A built-in function that an external function of the same name/arity overrides in the schemas that define one. */
  wrapBuiltin(spec: ScalarFunctionSpec): ScalarFunctionSpec {
    this.registered.add(key(spec.name, spec.parameters.length));
    return {
      ...spec,
      invoke: (args, rows, ctx) => {
        const fn = this.lookup(spec.name, spec.parameters.length, ctx);
        if (fn) return this.call(fn, args, rows, ctx, spec.returns);
        const calls = this.statementOf(ctx);
        if (!calls?.replaying) return spec.invoke(args, rows, ctx);
        return calls.memo(key(spec.name, spec.parameters.length), args, rows, (some, n) => spec.invoke(some, n, ctx));
      },
    };
  }

  /** Registers dispatchers for stored functions whose name/arity no built-in took (call after the built-ins). */
  async registerStored(): Promise<void> {
    for (const f of this.functionsByKey.values()) await this.ensureDispatcher(f.name, f.argTypes.length);
  }

  integrations(): ApiIntegration[] {
    return [...this.integrationsByName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  integration(name: string): ApiIntegration | undefined {
    return this.integrationsByName.get(name.toUpperCase());
  }

  async putIntegration(input: IntegrationInput, replace: boolean): Promise<ApiIntegration> {
    const previous = this.integration(input.name);
    const { apiKey, ...rest } = input;
    const rec: ApiIntegration = {
      ...rest,
      apiKeySecret: this.keySecret(input.name, apiKey),
      iamUserArn: previous?.iamUserArn ?? newIamUser(),
      externalId: newExternalId(),
    };
    await this.store.putIntegration(rec, replace);
    this.integrationsByName.set(rec.name.toUpperCase(), rec);
    return rec;
  }

  /**
   * Changes an integration's properties in place (ALTER INTEGRATION): its generated identities stay;
   * `apiKey` undefined keeps the current key, null removes it.
   */
  async alterIntegration(
    name: string,
    changes: Pick<ApiIntegration, 'roleArn' | 'enabled' | 'allowedPrefixes' | 'blockedPrefixes' | 'comment'> & {
      readonly apiKey: ApiKeyInput | undefined;
    },
  ): Promise<ApiIntegration> {
    const current = this.integration(name);
    if (!current) throw new RecpipeError('NOT_FOUND', `SQL compilation error: Integration '${name}' does not exist or not authorized.`);
    const { apiKey, ...rest } = changes;
    const rec: ApiIntegration = {
      ...current,
      ...rest,
      apiKeySecret: apiKey === undefined ? current.apiKeySecret : this.keySecret(current.name, apiKey),
    };
    await this.store.putIntegration(rec, true);
    this.integrationsByName.set(rec.name.toUpperCase(), rec);
    return rec;
  }

  /** The secret holding the key: a literal is stored as API_INTEGRATION_<NAME>; a named secret must exist. */
  private keySecret(integration: string, key: ApiKeyInput): string | null {
    if (key === null) return null;
    if ('secret' in key) {
      if (this.opts.secrets.get(key.secret) === undefined)
        throw new RecpipeError(
          'NOT_FOUND',
          `SQL compilation error: secret ${key.secret.toUpperCase()} for API_KEY is not set; run 'recpipe secret set ${key.secret.toUpperCase()}' first`,
        );
      return key.secret.toUpperCase();
    }
    const name = `API_INTEGRATION_${integration.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
    this.opts.secrets.set(name, key.literal);
    return name;
  }

  async dropIntegration(name: string): Promise<void> {
    await this.store.removeIntegration(name);
    this.integrationsByName.delete(name.toUpperCase());
  }

  functions(): ExternalFunction[] {
    return [...this.functionsByKey.values()];
  }

  function(database: string, schema: string, name: string, arity: number): ExternalFunction | undefined {
    return this.functionsByKey.get(scoped(database, schema, name, arity));
  }

  /** Checks the integration and URL, records the function and makes it callable. */
  async putFunction(fn: ExternalFunction, replace: boolean): Promise<void> {
    const integration = this.integration(fn.integration);
    if (!integration)
      throw new RecpipeError('NOT_FOUND', `SQL compilation error: Integration '${fn.integration}' does not exist or not authorized.`);
    checkUrl(fn.url, integration);
    await this.store.putFunction(fn, replace);
    this.functionsByKey.set(scoped(fn.database, fn.schema, fn.name, fn.argTypes.length), fn);
    await this.ensureDispatcher(fn.name, fn.argTypes.length);
  }

  async dropFunction(fn: ExternalFunction): Promise<void> {
    await this.store.removeFunction(fn);
    this.functionsByKey.delete(scoped(fn.database, fn.schema, fn.name, fn.argTypes.length));
  }

  close(): void {
    this.running.clear();
  }

  private lookup(name: string, arity: number, ctx: FunctionCallContext): ExternalFunction | undefined {
    if (ctx.database === null || ctx.schema === null || this.functionsByKey.size === 0) return undefined;
    return this.functionsByKey.get(scoped(ctx.database, ctx.schema, name, arity));
  }

  /** The external function a call names in its session's schema, or Snowflake's unknown-function error. */
  private defined(name: string, arity: number, ctx: FunctionCallContext): ExternalFunction {
    const fn = this.lookup(name, arity, ctx);
    if (fn) return fn;
    throw new RecpipeError(
      'NOT_FOUND',
      `Unknown function ${name.toUpperCase()} with ${arity} argument(s) in ${ctx.database ?? '(no database)'}.${ctx.schema ?? '(no schema)'}`,
    );
  }

  private async ensureDispatcher(name: string, arity: number): Promise<void> {
    if (this.registered.has(key(name, arity))) return;
    this.registered.add(key(name, arity));
    const guard = this.opts.guard ?? ((spec: ScalarFunctionSpec) => spec);
    await this.opts.warehouse.registerFunction(
      guard({
        name: name.toLowerCase(),
        parameters: Array.from({ length: arity }, () => 'ANY' as const),
        returns: 'JSON',
        requireDefined: (ctx) => {
          this.defined(name, arity, ctx);
        },
        invoke: (args, rows, ctx) => this.call(this.defined(name, arity, ctx), args, rows, ctx, 'JSON'),
      }),
    );
  }

  /**
   * Runs one statement of `conn` (through `run`) so that its external-function calls are answered
   * without blocking: statements naming an external function run in rolled-back passes until one
   * finds every answer (that pass commits); others run as they are, and only if they reach one
   * anyway (through a view) are they run again in passes. Inside an explicit transaction only
   * queries can be run in passes, as nothing else can be undone there.
   */
  async evaluate<T>(conn: WarehouseConnection, statement: StatementWords, run: () => Promise<T>): Promise<T> {
    return this.functionsByKey.size === 0 ? run() : this.evaluateWithCalls(conn, statement, statement.inTransaction, run);
  }

  private async evaluateWithCalls<T>(
    conn: WarehouseConnection,
    statement: StatementWords,
    inTransaction: boolean,
    run: () => Promise<T>,
  ): Promise<T> {
    const named = this.functions().some((f) => statement.words.has(f.name.toUpperCase()) && sameSchema(f, statement));
    const calls = new StatementCalls(EVALUATED.has(statement.verb) && named);
    this.running.set(conn.id, calls);
    try {
      if (!calls.replaying) {
        try {
          return await run();
        } catch (e) {
          if (!calls.hasMissing()) throw e;
          calls.replaying = true;
        }
      }
      if (inTransaction && !QUERIES.has(statement.verb)) {
        throw new RecpipeError(
          'FAILED_PRECONDITION',
          `a ${statement.verb} statement that calls external functions cannot run inside an explicit transaction (BEGIN … COMMIT): its calls are answered by running it more than once; run it outside the transaction`,
        );
      }
      for (let pass = 1; ; pass++) {
        if (calls.hasMissing()) {
          if (pass > MAX_PASSES)
            throw new RecpipeError(
              'FAILED_PRECONDITION',
              `external function calls kept asking for new rows after ${MAX_PASSES} passes; are their arguments non-deterministic (random(), uuid_string(), now())?`,
            );
          await this.send(calls.takeMissing(), calls);
        }
        calls.newPass();
        const outcome = await onePass(conn, inTransaction, run, () => calls.hasMissing());
        if (outcome.done) return outcome.result;
      }
    } finally {
      this.running.delete(conn.id);
    }
  }

  /** Sends each function's missing argument tuples (a function's batches `concurrency` at a time) and records the answers. */
  private async send(missing: readonly Missing[], calls: StatementCalls): Promise<void> {
    await Promise.all(
      missing.map(async (m) => {
        const { fn, ctx } = m;
        const integration = this.integration(fn.integration);
        if (!integration)
          throw new RecpipeError('NOT_FOUND', `API integration ${fn.integration} of external function ${signatureOf(fn)} no longer exists`);
        checkUrl(fn.url, integration);
        const apiKey = integration.apiKeySecret === null ? null : (this.opts.secrets.get(integration.apiKeySecret) ?? null);
        if (integration.apiKeySecret !== null && apiKey === null)
          throw new RecpipeError('NOT_FOUND', `secret ${integration.apiKeySecret} (API_KEY of integration ${integration.name}) is not set`);
        const headers = protocolHeaders(fn, { database: ctx.database, schema: ctx.schema, queryId: randomUUID(), apiKey });
        const size = fn.maxBatchRows ?? DEFAULT_BATCH_ROWS;
        const count = m.leaves.length;
        const rows = (b: number): [number, number] => [b * size, Math.min(count, (b + 1) * size)];
        await sendEach(
          Math.ceil(count / size),
          this.opts.concurrency ?? 4,
          (b) => batchCall(fn, headers, m.columns, ...rows(b), this.policy),
          (b, call, outcome) => {
            const [from, to] = rows(b);
            readAnswers(fn, call, to - from, outcome).forEach((value, k) => calls.answer(m, from + k, value));
          },
        );
      }),
    );
  }

  private statementOf(ctx: FunctionCallContext): StatementCalls | undefined {
    return ctx.connection === undefined ? undefined : this.running.get(ctx.connection);
  }

  /**
   * One vector of rows, answered from what the statement's earlier passes fetched: VARIANT as
   * JSON text, or converted for a built-in that returns a scalar. Rows not answered yet are NULL
   * for this pass; when the pass was not meant to be repeated, it fails so it can be.
   */
  private call(
    fn: ExternalFunction,
    args: readonly (readonly FunctionArg[])[],
    rows: number,
    ctx: FunctionCallContext,
    returns: ScalarFunctionSpec['returns'],
  ): unknown[] {
    const calls = this.statementOf(ctx);
    if (!calls) {
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `external function ${signatureOf(fn)} can only be called from a SQL statement (here the warehouse would have to wait on the network)`,
      );
    }
    const out = new Array<unknown>(rows);
    const missed = calls.lookup(functionKey(fn), fn, ctx, args, rows, out);
    if (missed > 0 && !calls.replaying)
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `external function ${signatureOf(fn)} is evaluated before its statement runs; run again`,
      );
    for (let r = 0; r < rows; r++) if (out[r] !== null) out[r] = asScalar(out[r], returns);
    return out;
  }
}

/** Whether a function is the one a call in the statement's schema reaches (calls resolve in the session's schema only). */
const sameSchema = (f: ExternalFunction, st: StatementWords): boolean =>
  st.database !== null &&
  st.schema !== null &&
  f.database.toUpperCase() === st.database.toUpperCase() &&
  f.schema.toUpperCase() === st.schema.toUpperCase();

const functionKey = (fn: ExternalFunction): string => scoped(fn.database, fn.schema, fn.name, fn.argTypes.length);

/** An answer as the SQL function returns it: VARIANT as JSON text, else the scalar a built-in returns (invoke_model: DOUBLE). */
function asScalar(v: unknown, type: ScalarFunctionSpec['returns']): unknown {
  if (type === 'JSON') return JSON.stringify(v);
  if (type === 'VARCHAR') return typeof v === 'string' ? v : JSON.stringify(v);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  if (Number.isNaN(n))
    throw new RecpipeError('INVALID_ARGUMENT', `external function answered ${JSON.stringify(v).slice(0, 50)}, which is not a number`);
  return type === 'BIGINT' ? BigInt(Math.trunc(n)) : n;
}

/** An AWS-shaped IAM user ARN (12-digit account, recpipe-prefixed user), generated once per integration name. */
function newIamUser(): string {
  const account = Array.from({ length: 12 }, () => randomInt(10)).join('');
  return `arn:aws:iam::${account}:user/recpipe-${randomBytes(4).toString('hex')}`;
}

/** Snowflake's external id shape: <account locator>_SFCRole=<n>_<base64 secret>. */
function newExternalId(): string {
  return `RECPIPE_SFCRole=${randomInt(1, 10)}_${randomBytes(21).toString('base64')}`;
}
