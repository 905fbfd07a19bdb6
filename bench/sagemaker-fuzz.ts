/**
 * Fuzzes recpipe's SageMaker face over real HTTP on loopback: ≥ 10,000 bad requests (malformed
 * control-plane bodies, unknown targets, malformed invocation payloads, forged, tampered, stale and
 * replayed SigV4 signatures, garbage Authorization headers). Every answer must be a 4xx with an AWS
 * error type (x-amzn-errortype) and a message; afterwards the same server must still train-free
 * answer a valid signed call and an invocation. Prints counts per kind and the goal beside them.
 *
 *   npm run bench:sagemaker-fuzz [-- --requests 10000]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ApiKeyStore } from '../src/auth/index.js';
import { createRng } from '../src/core/index.js';
import { Engine } from '../src/engine/index.js';
import { SecretStore } from '../src/secrets/index.js';
import { createService } from '../src/service/index.js';
import { writeTinyArtifact } from '../tests/support/tiny-model-fixture.js';

const total = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 10_000;
const rng = createRng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
const junk = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(rng.next() * 95))).join('');

const home = mkdtempSync(join(tmpdir(), 'recpipe-smfuzz-'));
const engine = await Engine.open({ home });
const secrets = new SecretStore(home, new Map());
await engine.execute(
  engine.createSession(),
  'use role accountadmin; create user fuzz default_role = sysadmin; grant role sysadmin to user fuzz',
);
const key = new ApiKeyStore(home).createAws('SYSADMIN', 'fuzz', 'FUZZ', secrets);
const { manifest } = await writeTinyArtifact(join(home, 'tiny-model'));
engine.endpoints.deploy('fuzz', pathToFileURL(join(home, 'tiny-model')).href);
await engine.endpoints.waitFor('fuzz', 'InService');
const app = await createService(engine, { home });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const url = `http://127.0.0.1:${port}`;
const host = `127.0.0.1:${port}`;

const signer = (secret = key.secretAccessKey, region = 'us-east-1') =>
  new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: secret },
    region,
    service: 'sagemaker',
    sha256: Hash.bind(null, 'sha256'),
  });
const good = signer();

interface Req {
  path: string;
  headers: Record<string, string>;
  body: string;
}

async function signed(path: string, headers: Record<string, string>, body: string, s = good, at = new Date()): Promise<Req> {
  const out = await s.sign(
    // Each call carries its own invocation id, signed, as the AWS SDKs and botocore send: identical calls in one second stay distinct.
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path,
      query: {},
      headers: { host, 'amz-sdk-invocation-id': randomUUID(), ...headers },
      body,
    },
    { signingDate: at },
  );
  return { path, headers: out.headers as Record<string, string>, body };
}

const target = (op: string) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `SageMaker.${op}` });
const OPS = [
  'CreateTrainingJob',
  'DescribeTrainingJob',
  'CreateModel',
  'CreateEndpointConfig',
  'CreateEndpoint',
  'UpdateEndpoint',
  'DescribeEndpoint',
  'ListEndpoints',
  'DeleteEndpoint',
  'ListTrainingJobs',
];
const BAD_BODIES = [
  () => junk(1 + Math.floor(rng.next() * 200)),
  () => '{"TrainingJobName": ',
  () => '[]',
  () => 'null',
  () => JSON.stringify({ TrainingJobName: 42 }),
  () => JSON.stringify({ EndpointName: 'bad_name!', EndpointConfigName: junk(10) }),
  () => JSON.stringify({ EndpointName: 'x'.repeat(200) }),
  () => JSON.stringify({ ModelName: 'm', PrimaryContainer: { ModelDataUrl: '/etc/passwd' } }),
  () => JSON.stringify({ MaxResults: -1 }),
  () => JSON.stringify({ NextToken: junk(8), SortBy: 'Nonsense' }),
  () => JSON.stringify({ TrainingJobName: 'j', HyperParameters: { input: 'a; drop table b' } }),
  () => '{"a":'.repeat(500) + '1' + '}'.repeat(500),
];

/** One bad request of a kind, ready to send. */
const KINDS: Record<string, () => Promise<Req>> = {
  'malformed control-plane body': async () => signed('/', target(pick(OPS)), pick(BAD_BODIES)()),
  'unknown X-Amz-Target': async () =>
    signed(
      '/',
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': pick(['SageMaker.DropEverything', junk(12), 'Other.ListEndpoints']) },
      '{}',
    ),
  'malformed invocation payload': async () =>
    signed(
      '/endpoints/fuzz/invocations',
      { 'content-type': pick(['text/csv', 'application/json', 'image/png']) },
      pick(['1,2,3\n', junk(50).replace(/,/g, ';'), '{"instances": 5}', '', '\0\0\0']),
    ),
  'invocation of a missing endpoint': async () =>
    signed(`/endpoints/missing-${Math.floor(rng.next() * 1e6)}/invocations`, { 'content-type': 'text/csv' }, '1,308\n'),
  'forged signature (wrong secret)': async () => signed('/', target('ListEndpoints'), '{}', signer('wrong-secret')),
  'tampered body after signing': async () => {
    const r = await signed('/', target('ListEndpoints'), '{}');
    return { ...r, body: '{"MaxResults":5}' };
  },
  'random signature': async () => {
    const r = await signed('/', target('ListEndpoints'), '{}');
    return {
      ...r,
      headers: {
        ...r.headers,
        authorization: r.headers.authorization.replace(
          /Signature=\w+/,
          `Signature=${Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(rng.next() * 16)]).join('')}`,
        ),
      },
    };
  },
  'stale date (20 min)': async () => signed('/', target('ListEndpoints'), '{}', good, new Date(Date.now() - 20 * 60_000)),
  'wrong region scope': async () => signed('/', target('ListEndpoints'), '{}', signer(key.secretAccessKey, 'eu-west-1')),
  'garbage Authorization header': async () => ({
    path: '/',
    headers: { ...target('ListEndpoints'), 'x-amz-date': '20260101T000000Z', authorization: `AWS4-HMAC-SHA256 ${junk(40)}` },
    body: '{}',
  }),
};

interface Tally {
  n: number;
  statuses: Map<string, number>;
  bad: string[];
}
const counts = new Map<string, Tally>();
const send = async (kind: string, r: Req): Promise<void> => {
  const res = await fetch(url + r.path, { method: 'POST', headers: r.headers, body: r.body });
  const text = await res.text();
  const type = res.headers.get('x-amzn-errortype');
  const entry: Tally = counts.get(kind) ?? { n: 0, statuses: new Map(), bad: [] };
  counts.set(kind, entry);
  entry.n++;
  const label = `${res.status} ${type ?? '(no type)'}`;
  entry.statuses.set(label, (entry.statuses.get(label) ?? 0) + 1);
  let message = '';
  try {
    message = String((JSON.parse(text) as { message?: unknown }).message ?? '');
  } catch {}
  if (res.status < 400 || res.status >= 500 || !type || type === 'UnknownError' || message === '') {
    if (entry.bad.length < 3) entry.bad.push(`${label}: ${text.slice(0, 160)}`);
  }
};

const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const kinds = Object.keys(KINDS);
let sent = 0;
const workers = Array.from({ length: 8 }, async () => {
  while (sent < total) {
    const i = sent++;
    const k = i % (kinds.length + 1);
    if (k === kinds.length) {
      // A replay: the first copy is a valid call, the second must be refused.
      const r = await signed('/', target('ListEndpoints'), JSON.stringify({ NameContains: `n${i}` }));
      await fetch(url + r.path, { method: 'POST', headers: r.headers, body: r.body }).then((x) => x.text());
      await send('replayed signature', r);
      continue;
    }
    await send(kinds[k], await KINDS[kinds[k]]());
  }
});
await Promise.all(workers);
const seconds = (performance.now() - started) / 1000;

const after = await signed('/', target('ListEndpoints'), '{}');
const ok = await fetch(url + '/', { method: 'POST', headers: after.headers, body: after.body });
const inv = await signed('/endpoints/fuzz/invocations', { 'content-type': 'text/csv' }, '1,100\nalice,101\n');
const invoked = await fetch(url + inv.path, { method: 'POST', headers: inv.headers, body: inv.body });
const health = await fetch(`${url}/api/v1/health`);

console.log(
  `SageMaker face fuzz: ${sent} bad requests in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)}/s), model ${manifest.algorithm}\n`,
);
let failures = 0;
for (const [kind, e] of [...counts].sort()) {
  const statuses = [...e.statuses].map(([s, n]) => `${s} ×${n}`).join(', ');
  console.log(`${kind.padEnd(34)} ${String(e.n).padStart(6)}  ${statuses}`);
  for (const b of e.bad) console.log(`   NOT A CLEAR ERROR: ${b}`);
  failures += e.bad.length;
}
console.log('');
console.log(`goal                               ≥ 10,000 bad requests → clear 4xx AWS errors; service unaffected`);
console.log(
  `recpipe                            ${sent} sent; ${failures === 0 ? 'every answer a 4xx with x-amzn-errortype and a message' : `${failures}+ unclear answers`}`,
);
console.log(
  `after the fuzz                     ListEndpoints ${ok.status}, InvokeEndpoint ${invoked.status} (${(await invoked.text()).trim().replace('\n', ', ')}), health ${health.status}`,
);
console.log(
  `RSS                                ${(rssBefore / 2 ** 20).toFixed(0)} MB before, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB after`,
);
await app.close();
await engine.close();
rmSync(home, { recursive: true, force: true });
if (failures > 0 || ok.status !== 200 || invoked.status !== 200 || health.status !== 200) process.exitCode = 1;
