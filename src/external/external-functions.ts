import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { RecpipeError } from '../core/errors.js';
import type { FunctionArg, FunctionCallContext, ScalarFunctionSpec, Warehouse } from '../warehouse/index.js';
import { checkUrl, sameOrigin } from './prefixes.js';
import { DEFAULT_POLICY, collectResults, prepareBatches, type CallPolicy } from './protocol.js';
import { signatureOf, type ApiIntegration, type ExternalFunction } from './records.js';
import { ExternalStore } from './store.js';
import { SyncBridge } from './sync-bridge.js';

export interface ExternalFunctionsOptions {
  readonly warehouse: Warehouse;
  /** The URL this process serves on, when it serves: calls to it are refused (they would deadlock). */
  readonly ownUrl?: () => string | null;
  /** Wraps the SQL function registered for each external function name/arity (the engine's usage-privilege check). */
  readonly guard?: (spec: ScalarFunctionSpec) => ScalarFunctionSpec;
  readonly policy?: Partial<CallPolicy>;
  /** Where API keys are kept (the engine's SecretStore: environment, then `<home>/secrets.json`). */
  readonly secrets: SecretAccess;
  /** Batches of one vector in flight at once. */
  readonly concurrency?: number;
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
export type IntegrationInput = Omit<ApiIntegration, 'iamUserArn' | 'externalId' | 'createdOn' | 'apiKeySecret'> & { readonly apiKey: ApiKeyInput };

const key = (name: string, arity: number): string => `${name.toUpperCase()}/${arity}`;
const scoped = (database: string, schema: string, name: string, arity: number): string => `${database.toUpperCase()}.${schema.toUpperCase()}.${key(name, arity)}`;

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
 */
export class ExternalFunctions {
  private readonly integrationsByName = new Map<string, ApiIntegration>();
  private readonly functionsByKey = new Map<string, ExternalFunction>();
  private readonly registered = new Set<string>();
  private readonly bridge = new SyncBridge();
  private readonly policy: CallPolicy;

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
        if (!fn) return spec.invoke(args, rows, ctx);
        return this.call(fn, args, rows, ctx, spec.returns);
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
    const rec: ApiIntegration = { ...rest, apiKeySecret: this.keySecret(input.name, apiKey), iamUserArn: previous?.iamUserArn ?? newIamUser(), externalId: newExternalId() };
    await this.store.putIntegration(rec, replace);
    this.integrationsByName.set(rec.name.toUpperCase(), rec);
    return rec;
  }

  /** The secret holding the key: a literal is stored as API_INTEGRATION_<NAME>; a named secret must exist. */
  private keySecret(integration: string, key: ApiKeyInput): string | null {
    if (key === null) return null;
    if ('secret' in key) {
      if (this.opts.secrets.get(key.secret) === undefined) throw new RecpipeError('NOT_FOUND', `SQL compilation error: secret ${key.secret.toUpperCase()} for API_KEY is not set; run 'recpipe secret set ${key.secret.toUpperCase()}' first`);
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
    if (!integration) throw new RecpipeError('NOT_FOUND', `SQL compilation error: Integration '${fn.integration}' does not exist or not authorized.`);
    checkUrl(fn.url, integration);
    this.refuseOwnUrl(fn.url);
    await this.store.putFunction(fn, replace);
    this.functionsByKey.set(scoped(fn.database, fn.schema, fn.name, fn.argTypes.length), fn);
    await this.ensureDispatcher(fn.name, fn.argTypes.length);
  }

  async dropFunction(fn: ExternalFunction): Promise<void> {
    await this.store.removeFunction(fn);
    this.functionsByKey.delete(scoped(fn.database, fn.schema, fn.name, fn.argTypes.length));
  }

  close(): void {
    this.bridge.close();
  }

  private lookup(name: string, arity: number, ctx: FunctionCallContext): ExternalFunction | undefined {
    if (ctx.database === null || ctx.schema === null || this.functionsByKey.size === 0) return undefined;
    return this.functionsByKey.get(scoped(ctx.database, ctx.schema, name, arity));
  }

  private async ensureDispatcher(name: string, arity: number): Promise<void> {
    if (this.registered.has(key(name, arity))) return;
    this.registered.add(key(name, arity));
    const guard = this.opts.guard ?? ((spec: ScalarFunctionSpec) => spec);
    await this.opts.warehouse.registerFunction(guard({
      name: name.toLowerCase(),
      parameters: Array.from({ length: arity }, () => 'ANY' as const),
      returns: 'JSON',
      invoke: (args, rows, ctx) => {
        const fn = this.lookup(name, arity, ctx);
        if (!fn) throw new RecpipeError('NOT_FOUND', `Unknown function ${name.toUpperCase()} with ${arity} argument(s) in ${ctx.database ?? '(no database)'}.${ctx.schema ?? '(no schema)'}`);
        return this.call(fn, args, rows, ctx, 'JSON');
      },
    }));
  }

  /**
   * Sends one vector of rows to the function's service and waits (blocking this thread) for the
   * answers: VARIANT as JSON text, or converted for a built-in that returns a scalar.
   */
  private call(fn: ExternalFunction, args: readonly (readonly FunctionArg[])[], rows: number, ctx: FunctionCallContext, returns: ScalarFunctionSpec['returns']): unknown[] {
    const integration = this.integration(fn.integration);
    if (!integration) throw new RecpipeError('NOT_FOUND', `API integration ${fn.integration} of external function ${signatureOf(fn)} no longer exists`);
    checkUrl(fn.url, integration);
    this.refuseOwnUrl(fn.url);
    const apiKey = integration.apiKeySecret === null ? null : (this.opts.secrets.get(integration.apiKeySecret) ?? null);
    if (integration.apiKeySecret !== null && apiKey === null) throw new RecpipeError('NOT_FOUND', `secret ${integration.apiKeySecret} (API_KEY of integration ${integration.name}) is not set`);
    const prepared = prepareBatches(fn, args, rows, { database: ctx.database, schema: ctx.schema, queryId: randomUUID(), apiKey }, this.policy);
    const outcomes = this.bridge.send(prepared.calls, this.opts.concurrency ?? 4, this.policy.timeoutMs + 5_000);
    const out = new Array<unknown>(rows).fill(null);
    collectResults(fn, prepared, outcomes, out);
    for (let r = 0; r < rows; r++) if (out[r] !== null) out[r] = asScalar(out[r], returns);
    return out;
  }

  private refuseOwnUrl(url: string): void {
    const own = this.opts.ownUrl?.() ?? null;
    if (own !== null && sameOrigin(url, own)) {
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `external function URL ${url} is served by this very process (${own}); its SQL functions wait synchronously, so it could never answer. Point the function at another recpipe process.`,
      );
    }
  }
}

/** An answer as the SQL function returns it: VARIANT as JSON text, else the scalar a built-in returns (invoke_model: DOUBLE). */
function asScalar(v: unknown, type: ScalarFunctionSpec['returns']): unknown {
  if (type === 'JSON') return JSON.stringify(v);
  if (type === 'VARCHAR') return typeof v === 'string' ? v : JSON.stringify(v);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  if (Number.isNaN(n)) throw new RecpipeError('INVALID_ARGUMENT', `external function answered ${JSON.stringify(v).slice(0, 50)}, which is not a number`);
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
