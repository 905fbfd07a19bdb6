/**
 * Malformed Snowflake-protocol requests against `recpipe server` (a child process): bodies that are not
 * JSON or not gzip, wrong shapes and types, forged, truncated and expired tokens, bad bindings, forged
 * chunk signatures, unknown query ids. Every answer must be a clear refusal (4xx, or Snowflake's
 * `success: false` for a statement that cannot run) and the server must keep serving a real driver.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRng, type Rng } from '../src/core/random.js';
import { connectDriver, sfRequest } from '../tests/support/snowflake-driver.js';
import { BENCH_PASSWORD, BENCH_USER, withSnowflakeServer } from './support/snowflake-home.js';

const REQUESTS = Number(process.argv[2] ?? 12_000);
const CONCURRENCY = 16;

interface Attempt {
  path: string;
  method: 'GET' | 'POST';
  body?: string | Buffer;
  headers: Record<string, string>;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function junk(rng: Rng): unknown {
  return pick(rng, [
    null,
    0,
    -1,
    1e308,
    true,
    'x',
    '',
    [],
    [1, 'a'],
    {},
    { data: null },
    'a'.repeat(rng.int(5000)),
    { sqlText: ['select 1'] },
  ]);
}

function attempt(rng: Rng, token: string, expired: string): Attempt {
  const json = { 'content-type': 'application/json' };
  const auth = (t: string) => ({ ...json, authorization: `Snowflake Token="${t}"` });
  const badTokens = ['', 'x', token.slice(0, -1), `${token}x`, expired, 'ver:1-hint:st-' + 'A'.repeat(43), '"'];
  switch (rng.int(9)) {
    case 0: // login: not JSON, truncated JSON, binary
      return {
        path: '/session/v1/login-request',
        method: 'POST',
        body: pick(rng, ['{nope', '{"data":', '\u0000\u0001', 'null', '[]']),
        headers: json,
      };
    case 1: // login: wrong shapes and types
      return {
        path: '/session/v1/login-request',
        method: 'POST',
        body: JSON.stringify({
          data: { LOGIN_NAME: junk(rng), PASSWORD: junk(rng), AUTHENTICATOR: pick(rng, [undefined, 'SNOWFLAKE_JWT', 'OAUTH', 7]) },
        }),
        headers: json,
      };
    case 2: // gzip that is not gzip, or gzip of garbage
      return {
        path: '/session/v1/login-request',
        method: 'POST',
        body: rng.next() < 0.5 ? Buffer.from([0x1f, 0x8b, 1, 2, 3]) : gzipSync('{"data": [1,'),
        headers: { ...json, 'content-encoding': 'gzip' },
      };
    case 3: // queries with forged, truncated or expired tokens, or a malformed Authorization header
      return {
        path: '/queries/v1/query-request',
        method: 'POST',
        body: '{"sqlText":"select 1"}',
        headers:
          rng.next() < 0.8
            ? auth(pick(rng, badTokens))
            : { ...json, authorization: pick(rng, ['Bearer x', 'Snowflake', 'Snowflake Token=abc']) },
      };
    case 4: // a valid session, malformed query bodies
      return {
        path: '/queries/v1/query-request',
        method: 'POST',
        body: JSON.stringify(
          pick(rng, [junk(rng), { sqlText: junk(rng) }, { sqlText: 'select 1', asyncExec: pick(rng, ['yes', 1, null, {}]) }]),
        ),
        headers: auth(token),
      };
    case 5: // a valid session, bad bindings
      return {
        path: '/queries/v1/query-request',
        method: 'POST',
        body: JSON.stringify({
          sqlText: 'select ?',
          bindings: pick(rng, [
            junk(rng),
            { 1: junk(rng) },
            {
              1: {
                type: pick(rng, ['FIXED', 'DATE', 'BOOLEAN', 'VARIANT', 'NOPE']),
                value: pick(rng, ['1 or 1=1', "'; drop table ratings; --", '2024-13-45', '{', 'maybe']),
              },
            },
          ]),
        }),
        headers: auth(token),
      };
    case 6: // renewal with forged tokens
      return {
        path: '/session/token-request',
        method: 'POST',
        body: JSON.stringify({ requestType: 'RENEW', oldSessionToken: junk(rng) }),
        headers: auth(pick(rng, badTokens)),
      };
    case 7: // unknown query ids, forged chunk signatures
      return rng.next() < 0.5
        ? {
            path: `/queries/${pick(rng, ['nope', '00000000-0000-0000-0000-000000000000', '..%2F..'])}/result`,
            method: 'GET',
            headers: auth(token),
          }
        : {
            path: `/recpipe/snowflake-chunks/${rng.int(1e9)}/${rng.int(5)}?expires=${pick(rng, ['', '1', 'x', String(Date.now() + 6e4)])}&signature=forged`,
            method: 'GET',
            headers: {},
          };
    default: // sign-out without delete=true, heartbeat without a token
      return rng.next() < 0.5
        ? { path: '/session', method: 'POST', body: '{}', headers: auth(token) }
        : { path: '/session/heartbeat', method: 'POST', body: '{}', headers: json };
  }
}

function rssMb(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

await withSnowflakeServer(async (server) => {
  const login = async () => {
    const r = await sfRequest(server.url, '/session/v1/login-request', { data: { LOGIN_NAME: BENCH_USER, PASSWORD: BENCH_PASSWORD } });
    return (r.json.data as { token: string }).token;
  };
  const token = await login();
  const signedOut = await login();
  await sfRequest(server.url, '/session?delete=true', {}, signedOut);
  const rng = createRng(13);
  const counts = new Map<string, number>();
  const note = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  const unclear: string[] = [];
  const rssBefore = rssMb(server.child.pid);
  const t0 = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < REQUESTS) {
        sent++;
        const a = attempt(rng, token, signedOut);
        try {
          const res = await fetch(server.url + a.path, {
            method: a.method,
            headers: a.headers,
            ...(a.body === undefined ? {} : { body: a.body }),
          });
          const body = (await res.json().catch(() => null)) as { success?: boolean; message?: string; error?: { message?: string } } | null;
          const message = body?.message ?? body?.error?.message;
          const kind =
            res.status >= 500
              ? '5xx'
              : res.status >= 400
                ? `${res.status}`
                : body?.success === false
                  ? '200 success:false'
                  : '200 success:true';
          note(kind);
          if (res.status >= 500 || typeof message !== 'string' || message === '' || kind === '200 success:true')
            unclear.push(`${a.method} ${a.path} ${String(a.body).slice(0, 120)} → ${res.status} ${JSON.stringify(body)?.slice(0, 120)}`);
        } catch (e) {
          note('network error');
          unclear.push(`${a.method} ${a.path} → ${(e as Error).message}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const driver = await connectDriver(server.url, BENCH_USER, BENCH_PASSWORD, { database: 'movielens', schema: 'public' });
  const after = await driver.execute('select count(*) as n from ratings');
  await driver.destroy();
  const health = await fetch(`${server.url}/api/v1/health`);
  console.log(
    `${REQUESTS.toLocaleString('en-US')} malformed Snowflake-protocol requests, ${CONCURRENCY} at a time, in ${seconds.toFixed(1)} s\n`,
  );
  for (const [k, n] of [...counts].sort()) console.log(`${k.padEnd(20)} ${String(n).padStart(7)}`);
  console.log(`\nwithout a clear refusal: ${unclear.length}${unclear.length ? `\n  ${unclear.slice(0, 10).join('\n  ')}` : ''}`);
  console.log(
    `afterwards: health ${health.status}; snowflake-sdk counts ${after.rows[0].N} ratings; server RSS ${rssBefore.toFixed(0)} → ${rssMb(server.child.pid).toFixed(0)} MB`,
  );
  if (unclear.length > 0 || health.status !== 200) process.exitCode = 1;
});
