import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { RecpipeError } from '../core/errors.js';
import { ApiKeyStore, awsSecretName } from './api-key-store.js';
import { SigV4Verifier, isSigV4, type SignedRequest } from './sigv4.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('SigV4Verifier', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-sigv4-'));
  after(() => rmSync(home, { recursive: true, force: true }));
  const secrets = new Map<string, string>();
  const keys = new ApiKeyStore(home);
  const key = keys.createAws('SYSADMIN', 'k', 'U', { set: (n, v) => void secrets.set(n, v) });
  let clock = NOW;
  const verifier = new SigV4Verifier(keys, (id) => secrets.get(awsSecretName(id)), { now: () => clock });

  const sign = async (
    opts: { body?: string; at?: number; region?: string; secret?: string; path?: string; query?: Record<string, string> } = {},
  ): Promise<SignedRequest> => {
    const signer = new SignatureV4({
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: opts.secret ?? key.secretAccessKey },
      region: opts.region ?? 'us-east-1',
      service: 'sagemaker',
      sha256: Hash.bind(null, 'sha256'),
    });
    const path = opts.path ?? '/endpoints/my-endpoint/invocations';
    const body = opts.body ?? '1,308\n';
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path,
        query: opts.query ?? {},
        headers: { host: '127.0.0.1:7878', 'content-type': 'text/csv' },
        body,
      },
      { signingDate: new Date(opts.at ?? NOW) },
    );
    const qs = new URLSearchParams(opts.query ?? {}).toString();
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: 'POST', url: qs ? `${path}?${qs}` : path, headers, body };
  };
  const refused = async (req: SignedRequest, type: string, message: RegExp) => {
    await assert.rejects(verifier.verify(req), (e: unknown) => {
      assert.ok(e instanceof RecpipeError);
      assert.equal(e.details.awsType, type);
      assert.match(e.message, message);
      return true;
    });
  };

  it('accepts a request signed with the issued pair and names its user and role', async () => {
    const req = await sign({ query: { a: 'b c', z: '1' } });
    assert.ok(isSigV4(req.headers));
    const who = await verifier.verify(req);
    assert.deepEqual([who.user, who.role, who.prefix], ['U', 'SYSADMIN', key.accessKeyId]);
  });

  it('refuses a replay, a changed body, a wrong secret, another region and a stale date', async () => {
    const req = await sign({ body: 'replayed' });
    await verifier.verify(req);
    await refused(req, 'InvalidSignatureException', /already been used/);
    await refused({ ...(await sign({ body: 'a' })), body: 'b' }, 'InvalidSignatureException', /does not match/);
    await refused(await sign({ secret: 'wrong' }), 'InvalidSignatureException', /does not match/);
    await refused(await sign({ region: 'eu-west-1' }), 'InvalidSignatureException', /region: 'us-east-1', not 'eu-west-1'/);
    await refused(await sign({ at: NOW - 16 * 60_000 }), 'InvalidSignatureException', /Signature expired/);
    await refused(await sign({ at: NOW + 16 * 60_000 }), 'InvalidSignatureException', /not yet current/);
    clock = NOW + 14 * 60_000;
    await verifier.verify(await sign({ body: 'within the window' }));
    clock = NOW;
  });

  it('refuses a signed payload hash that is not the body, a malformed header and a revoked key', async () => {
    const req = await sign({ body: 'x' });
    await refused(
      { ...req, headers: { ...req.headers, 'x-amz-content-sha256': '0'.repeat(64) }, body: 'x' },
      'InvalidSignatureException',
      /does not match/,
    );
    await refused(
      { ...req, headers: { ...req.headers, authorization: 'AWS4-HMAC-SHA256 nonsense' } },
      'IncompleteSignatureException',
      /Credential=/,
    );
    keys.revoke(key.accessKeyId);
    await refused(await sign(), 'UnrecognizedClientException', /security token/);
  });
});
