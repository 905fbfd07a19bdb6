import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

/**
 * Fastify's own compilers (ajv for requests, fast-json-stringify for responses), each schema compiled once
 * per process. By default every service instance compiles every route's schemas afresh, and once per
 * route and status even where they are the same schema (the error responses): ~0.2–0.5 CPU-s per
 * start, paid again by each service a process builds (tests build hundreds). The compiled functions
 * hold no per-instance state, so a schema equal in content to one compiled before (with the same
 * shared schemas and options) reuses its function.
 */
const buildAjv = AjvCompiler();
const buildFjs = SerializerSelector();
const validators = new Map<string, unknown>();
const serializers = new Map<string, unknown>();

function once<T>(cache: Map<string, unknown>, key: string, compile: () => T): T {
  if (!cache.has(key)) cache.set(key, compile());
  return cache.get(key) as T;
}

const buildValidator: BuildValidator = (externalSchemas, options) => {
  const compile = buildAjv(externalSchemas as Parameters<typeof buildAjv>[0], options as Parameters<typeof buildAjv>[1]);
  const context = JSON.stringify([externalSchemas, options?.customOptions, options?.mode]);
  return (route) => {
    // Fastify lower-cases a header schema's names only for its default compiler; Node lower-cases the request's.
    if (
      route.httpPart === 'headers' &&
      /[A-Z]/.test(JSON.stringify(Object.keys((route.schema as { properties?: object }).properties ?? {})))
    )
      throw new Error(`${route.method} ${route.url}: name headers in lower case in the route's headers schema`);
    return once(validators, `${context}\n${JSON.stringify(route.schema)}`, () => compile(route as Parameters<typeof compile>[0]));
  };
};

const buildSerializer: BuildSerializer = (externalSchemas, serializerOpts) => {
  const compile = buildFjs(externalSchemas as never, serializerOpts as never);
  const context = JSON.stringify([externalSchemas, serializerOpts]);
  return (route) => once(serializers, `${context}\n${JSON.stringify(route.schema)}`, () => compile(route as never));
};

export const sharedCompilers: CompilersFactory = { buildValidator, buildSerializer };

/** How many distinct schemas this process compiled, validators and serialisers (for the tests). */
export function compiledSchemaCount(): { validators: number; serializers: number } {
  return { validators: validators.size, serializers: serializers.size };
}
