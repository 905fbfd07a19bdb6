import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';

/** One area of the API (one file each): declares its routes, delegating to plain handler functions. Awaited when it returns a promise (plugins). */
export type RouteArea = (app: FastifyInstance, ctx: ServiceContext) => void | Promise<void>;
