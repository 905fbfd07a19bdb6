import { createRequire } from 'node:module';

/** The parts of an autocannon result the benches read (autocannon ships no types). */
export interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** autocannon is CommonJS; loaded once for every bench that puts an HTTP server under load. */
export const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;
